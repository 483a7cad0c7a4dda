package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.PlacementPolicyName;
import io.origincluster.operator.resources.RedisUrls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples users apply: each one validates against the generated CRD's schema (types, required, enums,
 * minimums, patterns, unknown fields), satisfies its CEL rules, and deserializes into the operator's own class.
 */
class ExampleOriginClusterTest {
    static final Path EXAMPLES = Path.of("..", "examples");
    static final Path CRD = Path.of("..", "crds", "originclusters.origincluster.io-v1.yml");

    /** The examples users apply, and the operator module's own sample. */
    static Stream<Path> examples() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = new java.util.ArrayList<>(s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList());
        }
        assertThat(files).as("examples/*.yaml").isNotEmpty();
        files.add(Path.of("..", "operator", "k8s", "origincluster-sample.yaml"));
        return files.stream();
    }

    static CrdSchemaValidator validator() throws IOException {
        return new CrdSchemaValidator(Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class),
                "v1alpha1");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleIsValid(Path file) throws IOException {
        String yaml = Files.readString(file);
        JsonNode tree = Serialization.unmarshal(yaml, JsonNode.class);
        assertThat(tree.get("apiVersion").asText()).isEqualTo("origincluster.io/v1alpha1");
        assertThat(tree.get("kind").asText()).isEqualTo("OriginCluster");
        assertThat(validator().validate(tree)).as(file.toString()).isEmpty();

        OriginCluster c = Serialization.unmarshal(yaml, OriginCluster.class);
        assertThat(c.getMetadata().getName()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(c.getSpec().origins.replicas).isPositive();
        assertThat(c.getSpec().proxy.replicas).isPositive();
        assertThat(c.getSpec().placement.policy).isEqualTo(PlacementPolicyName.LEAST_PINNED);
        // the CRD's CEL rule on spec.redis, evaluated by hand: exactly one of url, clusterNodes or managed: true
        assertThat((c.getSpec().redis.url != null ? 1 : 0) + (c.getSpec().redis.isManaged() ? 1 : 0)
                + (c.getSpec().redis.isCluster() ? 1 : 0)).isEqualTo(1);
        if (c.getSpec().redis.url != null) {
            c.getMetadata().setNamespace("media");
            assertThat(RedisUrls.forProxy(c)).startsWith("redis://");
        }
    }

    @Test
    void celRulesAreTheOnesCheckedByHand() throws IOException {
        // if the operator adds a CEL rule, this test fails until the example check above covers it
        assertThat(validator().celRules()).containsOnlyKeys(".spec.redis", ".spec.origins.config");
    }

    @Test
    void validatorRejectsWhatTheApiServerRejects() throws IOException {
        CrdSchemaValidator v = validator();
        String yaml = Files.readString(EXAMPLES.resolve("origincluster.yaml"));
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("origins")).put("replicas", -1)))
                .singleElement().asString().contains("spec.origins.replicas").contains("minimum");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("placement")).put("policy", "round-robin")))
                .singleElement().asString().contains("spec.placement.policy").contains("least-pinned");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("redis")).put("url", "http://redis:6379")))
                .singleElement().asString().contains("spec.redis.url").contains("does not match");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("origins")).put("replica", 3)))
                .singleElement().asString().contains("spec.origins.replica: unknown field");
        assertThat(errors(v, yaml, s -> s.remove("redis")))
                .singleElement().asString().contains("spec.redis: required");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("proxy")).put("replicas", "two")))
                .singleElement().asString().contains("spec.proxy.replicas: must be an integer");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.get("registration")).put("ttl", "30 seconds")))
                .singleElement().asString().contains("spec.registration.ttl");
        assertThat(errors(v, yaml, s -> ((ObjectNode) s.withObject("/origins/ports")).put("rtmp", 70000)))
                .singleElement().asString().contains("maximum");
    }

    private static List<String> errors(CrdSchemaValidator v, String yaml, Consumer<ObjectNode> edit) {
        JsonNode tree = Serialization.unmarshal(yaml, JsonNode.class);
        edit.accept((ObjectNode) tree.get("spec"));
        return v.validate(tree);
    }
}

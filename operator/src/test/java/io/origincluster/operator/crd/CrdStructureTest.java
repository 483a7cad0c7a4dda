package io.origincluster.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads the committed CRD as the API server would and checks what kubectl, HPA and validation depend on. */
class CrdStructureTest {
    private static CustomResourceDefinition crd;
    private static CustomResourceDefinitionVersion version;
    private static JSONSchemaProps spec;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = Files.newInputStream(CrdFiles.COMMITTED)) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        version = crd.getSpec().getVersions().get(0);
        spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    @Test
    void namespacedV1alpha1InTheOriginclusterGroup() {
        assertThat(crd.getMetadata().getName()).isEqualTo("originclusters.origincluster.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("OriginCluster");
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getServed()).isTrue();
        assertThat(version.getStorage()).isTrue();
    }

    @Test
    void scaleSubresourceTargetsOriginReplicas() {
        var scale = version.getSubresources().getScale();
        assertThat(scale.getSpecReplicasPath()).isEqualTo(".spec.origins.replicas");
        assertThat(scale.getStatusReplicasPath()).isEqualTo(".status.origins.ready");
        assertThat(scale.getLabelSelectorPath()).isEqualTo(".status.selector");
    }

    @Test
    void statusSubresource() {
        assertThat(version.getSubresources().getStatus()).isNotNull();
        JSONSchemaProps status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties()).containsKeys("observedGeneration", "origins", "proxies", "streams",
                "conditions", "selector");
        assertThat(status.getProperties().get("origins").getProperties())
                .containsKeys("desired", "ready", "registered");
    }

    @Test
    void printerColumns() {
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("Ready", ".status.origins.ready"),
                        org.assertj.core.groups.Tuple.tuple("Desired", ".spec.origins.replicas"),
                        org.assertj.core.groups.Tuple.tuple("Proxies", ".status.proxies.ready"),
                        org.assertj.core.groups.Tuple.tuple("Streams", ".status.streams"),
                        org.assertj.core.groups.Tuple.tuple("Age", ".metadata.creationTimestamp"));
    }

    @Test
    void validationRejectsBadSpecs() {
        assertThat(spec.getRequired()).contains("redis");
        JSONSchemaProps origins = spec.getProperties().get("origins");
        assertThat(origins.getProperties().get("replicas").getMinimum()).isEqualTo(0.0);
        assertThat(origins.getProperties().get("maxStreams").getMinimum()).isEqualTo(0.0);
        assertThat(origins.getProperties().get("ports").getProperties().get("rtmp").getMaximum()).isEqualTo(65535.0);
        assertThat(origins.getProperties().get("pullPolicy").getEnum()).extracting(Object::toString)
                .containsExactlyInAnyOrder("\"Always\"", "\"IfNotPresent\"", "\"Never\"");
        assertThat(spec.getProperties().get("placement").getProperties().get("policy").getEnum())
                .extracting(Object::toString).containsExactlyInAnyOrder("\"least-pinned\"", "\"random\"");
        assertThat(spec.getProperties().get("proxy").getProperties().get("service").getProperties().get("type")
                .getEnum()).hasSize(3);
        JSONSchemaProps redis = spec.getProperties().get("redis");
        assertThat(redis.getProperties().get("url").getPattern()).isEqualTo("^(redis|rediss|redis-sentinel)://.+");
        assertThat(redis.getXKubernetesValidations()).extracting(ValidationRule::getRule)
                .containsExactly("(has(self.url) ? 1 : 0) + (has(self.managed) && self.managed ? 1 : 0)"
                        + " + (has(self.clusterNodes) && size(self.clusterNodes) > 0 ? 1 : 0) == 1");
        assertThat(redis.getProperties().get("clusterNodes").getItems().getSchema().getType()).isEqualTo("string");
        assertThat(redis.getProperties()).doesNotContainKey("cluster");
        assertThat(origins.getProperties().get("config").getXKubernetesValidations()).hasSize(1);
        assertThat(spec.getProperties().get("registration").getProperties().get("ttl").getPattern()).isNotBlank();
        JSONSchemaProps drainTimeout = origins.getProperties().get("drain").getProperties().get("timeoutSeconds");
        assertThat(drainTimeout.getMinimum()).isEqualTo(1.0);
        assertThat(drainTimeout.getMaximum()).isEqualTo(3600.0);
        assertThat(drainTimeout.getDefault().asInt()).isEqualTo(30);
    }
}

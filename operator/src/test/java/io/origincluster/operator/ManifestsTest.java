package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.origincluster.operator.crd.OriginCluster;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The install manifest and the sample parse as typed objects and grant what the operator calls. */
class ManifestsTest {
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    private List<HasMetadata> load(String file) throws Exception {
        try (InputStream in = new FileInputStream(file)) {
            Object parsed = serialization.unmarshal(in);
            return parsed instanceof List<?> l ? l.stream().map(HasMetadata.class::cast).toList()
                    : List.of((HasMetadata) parsed);
        }
    }

    private static boolean allows(ClusterRole role, String group, String resource, String verb) {
        for (PolicyRule r : role.getRules()) {
            if (r.getApiGroups().contains(group) && r.getResources().contains(resource) && r.getVerbs().contains(verb)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void operatorManifestGrantsEveryCallTheOperatorMakes() throws Exception {
        List<HasMetadata> items = load("k8s/operator.yaml");
        ClusterRole role = items.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();
        assertThat(allows(role, "origincluster.io", "originclusters", "watch")).isTrue();
        assertThat(allows(role, "origincluster.io", "originclusters", "patch")).isTrue();
        assertThat(allows(role, "origincluster.io", "originclusters/status", "patch")).isTrue();
        assertThat(allows(role, "origincluster.io", "originclusters/finalizers", "update")).isTrue();
        for (String r : List.of("services", "configmaps", "secrets")) {
            assertThat(allows(role, "", r, "create") && allows(role, "", r, "patch") && allows(role, "", r, "watch"))
                    .as(r).isTrue();
        }
        assertThat(allows(role, "apps", "deployments", "patch")).isTrue();
        assertThat(allows(role, "", "pods", "watch") && allows(role, "", "pods", "patch")).isTrue();
        assertThat(allows(role, "", "events", "create")).isTrue();
        assertThat(allows(role, "coordination.k8s.io", "leases", "update")).isTrue();
        assertThat(allows(role, "authorization.k8s.io", "selfsubjectrulesreviews", "create")).isTrue();

        Deployment d = items.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    }

    @Test
    void sampleIsAValidOriginCluster() throws Exception {
        try (InputStream in = new FileInputStream("k8s/origincluster-sample.yaml")) {
            OriginCluster c = serialization.unmarshal(in, OriginCluster.class);
            assertThat(c.getSpec().origins.replicas).isEqualTo(3);
            assertThat(c.getSpec().redis.isManaged()).isTrue();
            assertThat(c.getSpec().proxy.service.type.name()).isEqualTo("LoadBalancer");
        }
    }
}

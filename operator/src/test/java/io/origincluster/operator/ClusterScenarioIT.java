package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.resources.Labels;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.Backend;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole-operator scenario against the cluster of the current kubeconfig, with real kubelets: only with
 * {@code -Pcluster} (never in CI). The operator runs in this JVM; Redis must be reachable from here and from the
 * proxy pods. Environment: ORIGIN_CLUSTER_IT_REDIS_URL (required), ORIGIN_CLUSTER_IT_NAMESPACE (default
 * origin-cluster-it, created if missing), ORIGIN_CLUSTER_IT_ORIGIN_IMAGE (default ossrs/srs:6),
 * ORIGIN_CLUSTER_IT_PROXY_IMAGE (default the CRD default).
 */
class ClusterScenarioIT {
    private static final Duration POD_START = Duration.ofMinutes(3);

    @Test
    void podsDriveRegistrationsOnARealCluster() throws Exception {
        String redisUrl = System.getenv("ORIGIN_CLUSTER_IT_REDIS_URL");
        assertThat(redisUrl).as("ORIGIN_CLUSTER_IT_REDIS_URL").isNotBlank();
        String ns = System.getenv().getOrDefault("ORIGIN_CLUSTER_IT_NAMESPACE", "origin-cluster-it");
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            try (InputStream in = new FileInputStream("../crds/originclusters.origincluster.io-v1.yml")) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
                        .createOr(NonDeletingOperation::update);
            }
            client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .createOr(NonDeletingOperation::update);
            OperatorSettings settings = OperatorSettings.from(Map.of("OPERATOR_LEASE_NAMESPACE", ns,
                    "OPERATOR_HEALTH_PORT", "0", "OPERATOR_NAMESPACES", ns));
            try (OriginClusterOperator operator = new OriginClusterOperator(client, settings, RedisStateStore::connect)) {
                operator.start();
                OriginCluster c = Clusters.cluster(ns, "it", redisUrl);
                c.getMetadata().setUid(null);
                c.getMetadata().setGeneration(null);
                c.getSpec().origins.replicas = 2;
                c.getSpec().origins.image = System.getenv().getOrDefault("ORIGIN_CLUSTER_IT_ORIGIN_IMAGE", "ossrs/srs:6");
                String proxyImage = System.getenv("ORIGIN_CLUSTER_IT_PROXY_IMAGE");
                if (proxyImage != null) {
                    c.getSpec().proxy.image = proxyImage;
                }
                c.getSpec().proxy.replicas = 1;
                c.getSpec().origins.drain.timeoutSeconds = 5;
                OriginCluster created = client.resource(c).create();
                try (StateStore reader = RedisStateStore.connect(redisUrl, Names.clusterId(created),
                        new LeastPinnedPolicy())) {
                    await().atMost(POD_START).until(() -> live(reader).size() == 2);

                    client.resources(OriginCluster.class).inNamespace(ns).withName("it").patch(
                            PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"origins\":{\"replicas\":3}}}");
                    await().atMost(POD_START).until(() ->
                            client.apps().deployments().inNamespace(ns).withName("it-origin").get().getSpec()
                                    .getReplicas() == 3 && live(reader).size() == 3);

                    Pod victim = client.pods().inNamespace(ns).withLabels(Labels.selector(created, Labels.Role.ORIGIN))
                            .list().getItems().get(0);
                    client.resource(victim).delete();
                    // deletionTimestamp is set at once: the registration turns draining within 2 s and stays while
                    // the preStop hook (5 s here) keeps the origin serving; it goes when the pod is gone
                    String victimId = PodBackends.backendId(victim);
                    await().atMost(Duration.ofSeconds(2)).until(() -> reader.backend(victimId).toCompletableFuture()
                            .get(5, TimeUnit.SECONDS).map(Backend::draining).orElse(false));
                    await().atMost(Duration.ofSeconds(40)).until(() -> !live(reader).contains(victimId));

                    Deployment origins = client.apps().deployments().inNamespace(ns).withName("it-origin").get();
                    assertThat(origins.getMetadata().getOwnerReferences()).singleElement()
                            .satisfies(r -> assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid()));

                    client.resource(created).delete();
                    await().atMost(Duration.ofSeconds(30)).until(() -> live(reader).isEmpty());
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            client.resources(OriginCluster.class).inNamespace(ns).withName("it").get() == null);
                }
            }
        }
    }

    private static List<String> live(StateStore store) throws Exception {
        return store.liveBackends().toCompletableFuture().get(5, TimeUnit.SECONDS).stream().map(Backend::id).toList();
    }
}

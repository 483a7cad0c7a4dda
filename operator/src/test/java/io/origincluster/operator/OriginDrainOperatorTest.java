package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendEvent;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An origin pod being deleted is drained, not dropped: the whole operator against the fabric8 CRUD mock API server
 * and a real redis-server, read through a second RedisStateStore as a proxy would.
 *
 * <p>The periodic reconcile is set to its maximum (40 s), so what happens within a couple of seconds was caused by
 * the pod's own watch events. The mock has no kubelet; a finalizer held by the test keeps a deleted pod in place
 * with its deletionTimestamp set (what a real pod looks like during its grace period), and removing the finalizer
 * lets the mock delete it.
 */
@EnableKubernetesMockClient(crud = true)
class OriginDrainOperatorTest {
    private static final String NS = "drain";
    private static final String HOLD = "origincluster.io/test-hold";
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final Duration KUBE = Duration.ofSeconds(10);

    KubernetesClient client;
    KubernetesMockServer server;
    private RedisServer redis;
    private OriginClusterOperator operator;
    private StateStore reader;

    @BeforeEach
    void startOperator() throws Exception {
        MockApi.applyCrd(client);
        MockApi.allowLeaseAccess(server);
        redis = RedisServer.start();
        operator = new OriginClusterOperator(client, OperatorSettings.from(Map.of("OPERATOR_LEASE_NAMESPACE", NS,
                "OPERATOR_HEALTH_PORT", "0", "OPERATOR_RESYNC_SECONDS", "40")), RedisStateStore::connect);
        operator.start();
    }

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private Pod readyPod(OriginCluster c, String name, String ip) {
        Pod pod = Clusters.originPod(c, name, null);
        pod.getMetadata().setUid(null);
        pod.getMetadata().setFinalizers(List.of(HOLD));
        client.resource(pod).create();
        return setStatus(name, Clusters.originPod(c, name, ip).getStatus());
    }

    private Pod setStatus(String name, PodStatus status) {
        Pod copy = client.pods().inNamespace(NS).withName(name).get();
        copy.setStatus(status);
        return client.resource(copy).updateStatus();
    }

    private Optional<Backend> stored(String id) throws Exception {
        return reader.backend(id).toCompletableFuture().get(2, TimeUnit.SECONDS);
    }

    private List<String> liveIds() throws Exception {
        return reader.liveBackends().toCompletableFuture().get(2, TimeUnit.SECONDS).stream().map(Backend::id).toList();
    }

    @Test
    void aPodBeingDeletedIsDrainingAtOnceStaysRegisteredAndLeavesWhenGone() throws Exception {
        OriginCluster c = Clusters.cluster(NS, "delta", redis.uri());
        c.getMetadata().setUid(null);
        c.getMetadata().setGeneration(null);
        c.getSpec().origins.drain.timeoutSeconds = 5;
        OriginCluster created = client.resource(c).create();
        reader = RedisStateStore.connect(redis.uri(), Names.clusterId(created), new LeastPinnedPolicy());

        // the drain timeout reaches the origin pod template and the proxies
        await().atMost(KUBE).untilAsserted(() -> {
            Deployment origins = client.apps().deployments().inNamespace(NS).withName("delta-origin").get();
            Deployment proxies = client.apps().deployments().inNamespace(NS).withName("delta-proxy").get();
            assertThat(origins).isNotNull();
            assertThat(proxies).isNotNull();
            var pod = origins.getSpec().getTemplate().getSpec();
            assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(25L);
            assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand())
                    .containsExactly("sh", "-c", "sleep 10");
            assertThat(proxies.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                    .anySatisfy(e -> {
                        assertThat(e.getName()).isEqualTo("PROXY_DRAIN_TIMEOUT");
                        assertThat(e.getValue()).isEqualTo("5s");
                    });
        });

        Pod a = readyPod(created, "delta-origin-a", "10.2.0.1");
        Pod b = readyPod(created, "delta-origin-b", "10.2.0.2");
        String idA = PodBackends.backendId(a);
        String idB = PodBackends.backendId(b);
        await().atMost(KUBE).until(() -> liveIds().containsAll(List.of(idA, idB)));
        String stream = "__defaultVhost__/live/s1";
        assertThat(reader.pin(stream, Set.of(idB), Duration.ofMinutes(1)).toCompletableFuture().get().id())
                .isEqualTo(idA);
        List<BackendEvent> changes = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = reader.onBackendChange(changes::add);

        // scale-down, rolling update or eviction: the API server sets the deletionTimestamp; the pod stays
        client.pods().inNamespace(NS).withName("delta-origin-a").delete();
        assertThat(client.pods().inNamespace(NS).withName("delta-origin-a").get().getMetadata()
                .getDeletionTimestamp()).as("the mock keeps a pod with finalizers, marked for deletion").isNotNull();

        await().atMost(PROMPT).pollInterval(Duration.ofMillis(50))
                .until(() -> stored(idA).map(Backend::draining).orElse(false));
        await().atMost(PROMPT).until(() -> changes.contains(new BackendEvent(BackendEvent.Type.DRAINING, idA)));
        assertThat(liveIds()).containsExactlyInAnyOrder(idA, idB);
        assertThat(stored(idB).orElseThrow().draining()).isFalse();
        // its stream stays pinned there until the proxies move it; a new stream goes to the other origin
        assertThat(reader.pinned(stream).toCompletableFuture().get().orElseThrow().id()).isEqualTo(idA);
        assertThat(reader.pin("__defaultVhost__/live/s2", Set.of(), Duration.ofMinutes(1)).toCompletableFuture()
                .get().id()).isEqualTo(idB);
        await().atMost(KUBE).untilAsserted(() -> assertThat(client.v1().events().inNamespace(NS).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("OriginDraining")));

        // NotReady while it terminates (the origin shutting down): still registered, still draining
        setStatus("delta-origin-a", Clusters.notReady(a).getStatus());
        await().during(Duration.ofMillis(1500)).atMost(PROMPT.plusSeconds(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> stored(idA).map(Backend::draining).orElse(false));
        assertThat(changes).doesNotContain(new BackendEvent(BackendEvent.Type.REMOVED, idA));

        // the kubelet is done: the pod is gone, and so is its registration
        client.pods().inNamespace(NS).withName("delta-origin-a")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
        await().atMost(KUBE).until(() -> client.pods().inNamespace(NS).withName("delta-origin-a").get() == null);
        await().atMost(PROMPT).until(() -> changes.contains(new BackendEvent(BackendEvent.Type.REMOVED, idA)));
        assertThat(liveIds()).containsExactly(idB);
        assertThat(reader.pinned(stream).toCompletableFuture().get()).isEmpty();
        subscription.close();
    }
}

package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.registration.StoreFactory;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.Backend;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.RedisServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The operator's registrar when Redis dies and comes back (a real redis-server, SIGKILLed, restarted empty on the
 * same port), on the fabric8 CRUD mock API server: the operator stays healthy, reports the outage as a condition,
 * retries with backoff instead of hammering Redis, deregisters nothing, and registers every Ready pod (including
 * one that became Ready during the outage) within seconds of Redis returning, long before its 15 s resync.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorRedisOutageTest {
    private static final String NS = "outage";
    private static final Duration KUBE = Duration.ofSeconds(10);

    static KubernetesClient client;
    static KubernetesMockServer server;

    /** Counts the registrar's sync attempts: each one starts by listing the live backends. */
    private static StoreFactory counting(AtomicInteger syncs) {
        return (uri, id, policy) -> {
            StateStore store = RedisStateStore.connect(uri, id, policy);
            return (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
                    new Class<?>[] {StateStore.class}, (p, m, args) -> {
                        if (m.getName().equals("liveBackends")) {
                            syncs.incrementAndGet();
                        }
                        try {
                            return m.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
    }

    private static Pod readyPod(OriginCluster c, String name, String ip) {
        Pod pod = Clusters.originPod(c, name, null);
        pod.getMetadata().setUid(null);
        client.resource(pod).create();
        Pod copy = client.pods().inNamespace(NS).withName(name).get();
        copy.setStatus(Clusters.originPod(c, name, ip).getStatus());
        return client.resource(copy).updateStatus();
    }

    private static List<String> liveIds(StateStore reader) throws Exception {
        return reader.liveBackends().toCompletableFuture().get(2, TimeUnit.SECONDS).stream().map(Backend::id)
                .toList();
    }

    private static boolean degraded(String reason) {
        OriginCluster c = client.resources(OriginCluster.class).inNamespace(NS).withName("omega").get();
        return c.getStatus() != null && c.getStatus().conditions.stream().anyMatch(co ->
                co.getType().equals("Degraded") && co.getStatus().equals("True") && reason.equals(co.getReason()));
    }

    private static List<String> eventReasons() {
        return client.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getReason).toList();
    }

    private static double counter(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l ->
                Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
    }

    @Test
    void redisDownThenBackEmptyRegistersTheReadyPodsAgainWithinSecondsAndNothingCascades() throws Exception {
        MockApi.applyCrd(client);
        MockApi.allowLeaseAccess(server);
        AtomicInteger syncs = new AtomicInteger();
        RedisServer redis = RedisServer.start();
        int port = redis.port();
        OperatorSettings settings = OperatorSettings.from(Map.of("OPERATOR_LEASE_NAMESPACE", NS,
                "OPERATOR_HEALTH_PORT", "0", "OPERATOR_RESYNC_SECONDS", "15"));
        try (OriginClusterOperator operator = new OriginClusterOperator(client, settings, counting(syncs))) {
            operator.start();
            OriginCluster c = Clusters.cluster(NS, "omega", redis.uri());
            c.getMetadata().setUid(null);
            c.getMetadata().setGeneration(null);
            c = client.resource(c).create();
            try (StateStore reader = RedisStateStore.connect(redis.uri(), Names.clusterId(c),
                    new LeastPinnedPolicy())) {
                String a = PodBackends.backendId(readyPod(c, "omega-origin-a", "10.3.0.1"));
                String b = PodBackends.backendId(readyPod(c, "omega-origin-b", "10.3.0.2"));
                await().atMost(KUBE).until(() -> liveIds(reader).containsAll(List.of(a, b)));

                redis.close(); // SIGKILL
                int before = syncs.get();
                // nothing may trigger a reconcile before the 15 s resync: that one must see the outage
                await().atMost(Duration.ofSeconds(20)).until(() -> degraded("RedisUnavailable"));
                // a pod that becomes Ready while Redis is away is registered once it is back
                String late = PodBackends.backendId(readyPod(c, "omega-origin-c", "10.3.0.3"));
                Thread.sleep(12_000);
                int attempts = syncs.get() - before;
                assertThat(operator.isHealthy()).as("liveness never depends on Redis").isTrue();
                // backoff 0.5, 1, 2, 4, then 5 s apart, plus the pod events: a handful, not one per event loop turn
                assertThat(attempts).as("sync attempts in 13 to 33 s of outage").isBetween(3, 16);

                redis = RedisServer.start(port); // back, and empty
                long back = System.nanoTime();
                await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> liveIds(reader).containsAll(List.of(a, b, late)));
                Duration recovered = Duration.ofNanos(System.nanoTime() - back);
                assertThat(recovered).as("well before the 15 s resync").isLessThan(Duration.ofSeconds(8));
                await().atMost(KUBE).until(() -> !degraded("RedisUnavailable"));
                assertThat(eventReasons()).as("no origin was deregistered").doesNotContain("OriginDeregistered")
                        .contains("RedisUnavailable");
                assertThat(eventReasons().stream().filter("RedisUnavailable"::equals).count())
                        .as("one warning for the whole outage").isEqualTo(1);
                String scrape = operator.scrapeMetrics();
                assertThat(counter(scrape, "origincluster_operator_registrations_total{change=\"registered\"}"))
                        .as(scrape).isGreaterThanOrEqualTo(3);
                assertThat(counter(scrape, "origincluster_operator_registrations_total{change=\"deregistered\"}"))
                        .isZero();
                assertThat(counter(scrape, "origincluster_operator_store_sync_failures_total"))
                        .isGreaterThanOrEqualTo(3);
                System.out.println("operator outage: " + attempts + " sync attempts while Redis was down, pods"
                        + " registered " + recovered.toMillis() + " ms after it returned");
            }
        } finally {
            redis.close();
        }
    }
}

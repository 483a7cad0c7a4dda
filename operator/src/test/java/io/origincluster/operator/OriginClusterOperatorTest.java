package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.reconcile.DeletionCostAnnotator;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendEvent;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.Protocol;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole operator (the same assembly OperatorMain runs, leader election on) against the fabric8 CRUD mock API
 * server with the committed CRD applied, and a real redis-server. The mock runs no controllers or kubelet, so the
 * tests create origin pods and set their readiness themselves. Backends are read through a second
 * RedisStateStore, as a proxy would see them.
 */
@EnableKubernetesMockClient(crud = true)
class OriginClusterOperatorTest {
    private static final String NS = "test";
    private static final Duration FAST = Duration.ofSeconds(1);
    private static final Duration KUBE = Duration.ofSeconds(10);

    static KubernetesClient client;
    static KubernetesMockServer server;
    private static RedisServer redis;
    private static OriginClusterOperator operator;
    private StateStore reader;

    @BeforeAll
    static void startOperator() throws IOException {
        MockApi.applyCrd(client);
        MockApi.allowLeaseAccess(server);
        redis = RedisServer.start();
        OperatorSettings settings = OperatorSettings.from(Map.of(
                "OPERATOR_LEASE_NAMESPACE", NS, "OPERATOR_HEALTH_PORT", "0", "OPERATOR_RESYNC_SECONDS", "1"));
        operator = new OriginClusterOperator(client, settings, RedisStateStore::connect);
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeReader() {
        if (reader != null) {
            reader.close();
        }
    }

    private OriginCluster createCluster(String name) {
        OriginCluster c = Clusters.cluster(NS, name, redis.uri());
        c.getMetadata().setUid(null);
        c.getMetadata().setGeneration(null);
        OriginCluster created = client.resource(c).create();
        reader = RedisStateStore.connect(redis.uri(), Names.clusterId(created), new LeastPinnedPolicy());
        return created;
    }

    private static <T extends HasMetadata> T get(Class<T> type, String name) {
        return client.resources(type).inNamespace(NS).withName(name).get();
    }

    private static Pod readyPod(OriginCluster c, String name, String ip) {
        Pod pod = Clusters.originPod(c, name, null);
        pod.getMetadata().setUid(null);
        Pod created = client.resource(pod).create();
        return setStatus(created, Clusters.originPod(c, name, ip).getStatus());
    }

    private static Pod setStatus(Pod pod, io.fabric8.kubernetes.api.model.PodStatus status) {
        Pod copy = client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get();
        copy.setStatus(status);
        return client.resource(copy).updateStatus();
    }

    private List<String> liveIds() throws Exception {
        return reader.liveBackends().toCompletableFuture().get(2, TimeUnit.SECONDS).stream().map(Backend::id).toList();
    }

    @Test
    void reconciliationMetricsAreServedOnTheHealthPort() throws Exception {
        createCluster("metered");
        await().atMost(KUBE).untilAsserted(() -> {
            OriginCluster now = get(OriginCluster.class, "metered");
            assertThat(now.getStatus()).isNotNull();
            assertThat(now.getStatus().observedGeneration).isEqualTo(now.getMetadata().getGeneration());
        });
        try (HealthServer server = new HealthServer(0, () -> true, () -> true, operator::scrapeMetrics)) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
                            + "/metrics")).timeout(java.time.Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            // JOSDK's counters and reconcile timer (no per-resource series), and the JVM's meters
            java.util.regex.Matcher success = java.util.regex.Pattern
                    .compile("(?m)^operator_sdk_reconciliations_success_total(\\{[^}]*})? (\\S+)$").matcher(r.body());
            assertThat(success.find()).as(r.body()).isTrue();
            assertThat(Double.parseDouble(success.group(2))).isGreaterThanOrEqualTo(1);
            assertThat(r.body()).contains("operator_sdk_reconciliations_started_total")
                    .contains("operator_sdk_events_received_total").contains("jvm_memory_used_bytes")
                    .doesNotContain("name=\"metered\"");
        }
    }

    @Test
    void appliesOwnedObjectsWithOwnerReferencesAndReportsStatus() throws InterruptedException {
        OriginCluster c = createCluster("alpha");
        String uid = c.getMetadata().getUid();
        await().atMost(KUBE).untilAsserted(() -> {
            for (HasMetadata owned : java.util.Arrays.asList(get(Deployment.class, "alpha-origin"), get(Deployment.class, "alpha-proxy"),
                    get(Service.class, "alpha-origin"), get(Service.class, "alpha-proxy"),
                    get(ConfigMap.class, "alpha-origin-config"), get(Secret.class, "alpha-proxy"),
                    get(Secret.class, "alpha-proxy-auth"))) {
                assertThat(owned).isNotNull();
                assertThat(owned.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(r -> assertThat(r.getUid()).isEqualTo(uid));
            }
        });
        assertThat(get(ConfigMap.class, "alpha-origin-config").getData().get("origin.conf"))
                .contains("heartbeat {\n    enabled off;");
        assertThat(get(Service.class, "alpha-proxy").getSpec().getPorts()).extracting(p -> p.getProtocol())
                .contains("TCP", "UDP");
        assertThat(get(Deployment.class, "alpha-redis")).isNull();
        await().atMost(KUBE).untilAsserted(() -> {
            OriginCluster now = get(OriginCluster.class, "alpha");
            assertThat(now.getStatus().observedGeneration).isEqualTo(now.getMetadata().getGeneration());
            assertThat(now.getStatus().selector).isEqualTo("origincluster.io/cluster=alpha,origincluster.io/role=origin");
            assertThat(now.getStatus().origins.desired).isEqualTo(2);
            assertThat(now.getStatus().conditions).extracting(co -> co.getType())
                    .containsExactly("Ready", "Progressing", "Degraded");
            assertThat(now.getMetadata().getFinalizers()).isNotEmpty();
        });
        assertThat(client.v1().events().inNamespace(NS).list().getItems())
                .anySatisfy(e -> assertThat(e.getInvolvedObject().getName()).isEqualTo("alpha"));

        // level-triggered: an owned object deleted by someone comes back
        client.services().inNamespace(NS).withName("alpha-proxy").delete();
        await().atMost(KUBE).until(() -> get(Service.class, "alpha-proxy") != null);

        // this replica took the leader Lease before reconciling
        assertThat(client.leases().inNamespace(NS).withName(OperatorSettings.LEASE_NAME).get().getSpec()
                .getHolderIdentity()).isNotBlank();

        // idempotent: periodic reconciles (every 1 s here) of an unchanged cluster write nothing
        Map<String, String> versions = ownedVersions("alpha");
        Thread.sleep(2_500);
        assertThat(ownedVersions("alpha")).isEqualTo(versions);
    }

    private static Map<String, String> ownedVersions(String name) {
        Map<String, String> v = new java.util.TreeMap<>();
        for (HasMetadata h : List.of(get(Deployment.class, name + "-origin"), get(Deployment.class, name + "-proxy"),
                get(Service.class, name + "-origin"), get(Service.class, name + "-proxy"),
                get(ConfigMap.class, name + "-origin-config"), get(Secret.class, name + "-proxy"),
                get(Secret.class, name + "-proxy-auth"))) {
            v.put(h.getKind() + "/" + h.getMetadata().getName(), h.getMetadata().getResourceVersion());
        }
        return v;
    }


    @Test
    void specChangesReachTheOwnedObjects() {
        createCluster("gamma");
        await().atMost(KUBE).until(() -> get(Deployment.class, "gamma-origin") != null);
        // what kubectl patch --type=merge sends; no resourceVersion, so racing status writes cannot conflict
        client.resources(OriginCluster.class).inNamespace(NS).withName("gamma").patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"origins\":{\"replicas\":4},\"redis\":{\"url\":null,\"managed\":true}}}");
        await().atMost(KUBE).untilAsserted(() -> {
            assertThat(get(Deployment.class, "gamma-origin").getSpec().getReplicas()).isEqualTo(4);
            assertThat(get(Deployment.class, "gamma-redis")).isNotNull();
            assertThat(get(Service.class, "gamma-redis")).isNotNull();
            assertThat(get(Deployment.class, "gamma-proxy").getSpec().getTemplate().getSpec().getContainers().get(0)
                    .getEnv()).anySatisfy(e -> assertThat(e.getValue()).isEqualTo("redis://gamma-redis.test.svc:6379/0"));
        });
        // the in-cluster name does not resolve from the test JVM: the failure must show up as a condition
        await().atMost(KUBE).untilAsserted(() -> assertThat(get(OriginCluster.class, "gamma").getStatus().conditions)
                .anySatisfy(co -> {
                    assertThat(co.getType()).isEqualTo("Degraded");
                    assertThat(co.getStatus()).isEqualTo("True");
                    assertThat(co.getReason()).isEqualTo("RedisUnavailable");
                    assertThat(co.getMessage()).contains("gamma-redis.test.svc");
                }));

        // back to the external Redis, and the user's own origin config: what is no longer asked for goes
        client.resources(OriginCluster.class).inNamespace(NS).withName("gamma").patch(
                PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"redis\":{\"url\":\"" + redis.uri()
                        + "\",\"managed\":null},\"origins\":{\"config\":{\"configMapRef\":"
                        + "{\"name\":\"my-origin-conf\",\"key\":\"srs.conf\"}}}}}");
        await().atMost(KUBE).untilAsserted(() -> {
            assertThat(get(Deployment.class, "gamma-redis")).isNull();
            assertThat(get(Service.class, "gamma-redis")).isNull();
            assertThat(get(ConfigMap.class, "gamma-origin-config")).isNull();
            assertThat(get(Deployment.class, "gamma-origin").getSpec().getTemplate().getSpec().getVolumes().get(0)
                    .getConfigMap().getName()).isEqualTo("my-origin-conf");
        });

        // a password Secret that does not exist is a spec problem, reported as such
        client.resources(OriginCluster.class).inNamespace(NS).withName("gamma").patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"redis\":{\"passwordSecretRef\":{\"name\":\"nope\",\"key\":\"password\"}}}}");
        await().atMost(KUBE).untilAsserted(() -> assertThat(get(OriginCluster.class, "gamma").getStatus().conditions)
                .anySatisfy(co -> {
                    assertThat(co.getType()).isEqualTo("Degraded");
                    assertThat(co.getReason()).isEqualTo("RedisConfigInvalid");
                    assertThat(co.getMessage()).isEqualTo("Secret nope has no key password");
                }));
    }

    @Test
    void readyPodsAreRegisteredWithinASecondAndLeaveAtOnce() throws Exception {
        // a registration left behind by a pod that no longer exists (e.g. before an operator restart)
        OriginCluster c = createCluster("beta");
        reader.register(Backend.of("test/vanished-0000aaaa", "10.9.9.9",
                Map.of(Protocol.RTMP, List.of(new Endpoint("tcp", null, 1935))), BackendSource.KUBERNETES),
                Duration.ofSeconds(60)).toCompletableFuture().get();
        Backend manual = Backend.of("srs-manual", "192.0.2.10",
                Map.of(Protocol.RTMP, List.of(new Endpoint("tcp", null, 1935))), BackendSource.REGISTER);
        reader.register(manual, Duration.ofSeconds(60)).toCompletableFuture().get();
        await().atMost(KUBE).until(() -> get(Deployment.class, "beta-origin") != null);
        await().atMost(KUBE).until(() -> !liveIds().contains("test/vanished-0000aaaa"));

        Pod a = readyPod(c, "beta-origin-a", "10.1.0.1");
        Pod b = readyPod(c, "beta-origin-b", "10.1.0.2");
        String idA = PodBackends.backendId(a);
        String idB = PodBackends.backendId(b);
        await().atMost(FAST).until(() -> liveIds().containsAll(List.of(idA, idB)));
        Backend stored = reader.backend(idA).toCompletableFuture().get().orElseThrow();
        assertThat(stored.ip()).isEqualTo("10.1.0.1");
        assertThat(stored.source()).isEqualTo(BackendSource.KUBERNETES);
        assertThat(stored.labels()).containsEntry("pod", "beta-origin-a").containsEntry("namespace", NS);
        assertThat(stored.endpoint(Protocol.RTMP).orElseThrow().port()).isEqualTo(1935);

        // deletion cost follows pinned streams
        Backend pinned = reader.pin("__defaultVhost__/live/s1", Set.of(idB, "srs-manual"), Duration.ofMinutes(1))
                .toCompletableFuture().get();
        assertThat(pinned.id()).isEqualTo(idA);
        await().atMost(KUBE).untilAsserted(() -> assertThat(get(Pod.class, "beta-origin-a").getMetadata()
                .getAnnotations()).containsEntry(DeletionCostAnnotator.ANNOTATION, "1"));
        await().atMost(KUBE).untilAsserted(() -> {
            OriginCluster now = get(OriginCluster.class, "beta");
            assertThat(now.getStatus().origins.ready).isEqualTo(2);
            assertThat(now.getStatus().origins.registered).isEqualTo(2);
            assertThat(now.getStatus().streams).isEqualTo(1);
        });

        // what a proxy's cache listens to: the store's change notification
        List<BackendEvent> changes = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = reader.onBackendChange(changes::add);
        client.pods().inNamespace(NS).withName("beta-origin-a").delete();
        await().atMost(FAST).until(() -> !liveIds().contains(idA));
        await().atMost(FAST).until(() -> changes.contains(new BackendEvent(BackendEvent.Type.REMOVED, idA)));
        subscription.close();

        setStatus(b, Clusters.notReady(b).getStatus());
        await().atMost(FAST).until(() -> !liveIds().contains(idB));

        // several periodic resyncs (1 s here) later the manual registration is still there
        Thread.sleep(2_500);
        assertThat(liveIds()).containsExactly("srs-manual");

        Pod c3 = readyPod(c, "beta-origin-c", "10.1.0.3");
        await().atMost(FAST).until(() -> liveIds().contains(PodBackends.backendId(c3)));
        client.resources(OriginCluster.class).inNamespace(NS).withName("beta").delete();
        await().atMost(KUBE).until(() -> liveIds().isEmpty());
        await().atMost(KUBE).until(() -> get(OriginCluster.class, "beta") == null);
        assertThat(reader.pins().toCompletableFuture().get()).isEmpty();
    }
}

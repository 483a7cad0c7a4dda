package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.resources.Labels;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OriginCluster's life with real media: the operator creates the origins and proxies, origin pods register,
 * ffmpeg publishes through the data plane and ffprobe plays through it, the cluster scales up and down, an origin
 * pod holding a stream is deleted, and an origin outside Kubernetes joins through the register API. Runs unchanged
 * on the mock API server ({@link MockCluster}) and on a real cluster ({@link KubeconfigCluster}).
 */
public final class OriginClusterScenario {
    private static final Logger log = LoggerFactory.getLogger(OriginClusterScenario.class);
    private static final String NAME = "media";
    /** How {@link #where} names the origin registered through the register API. */
    static final String EXTERNAL = "external";
    private static final int MAX_STREAMS = 2;

    private final ClusterUnderTest env;
    private final Map<String, Publisher> publishers = new LinkedHashMap<>();
    /** Measured durations, for the log and the assertions. */
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private OriginCluster cluster;
    private ClusterUnderTest.ExternalOrigin external;

    public OriginClusterScenario(ClusterUnderTest env) {
        this.env = env;
    }

    public Map<String, Duration> timings() {
        return timings;
    }

    public void run() throws Exception {
        try {
            createCluster();
            publishAcrossOrigins();
            scaleUpNewStreamsUseNewOrigins();
            try (ClusterUnderTest.ExternalOrigin ext = env.startExternalOrigin("edge-e2e")) {
                external = ext;
                registerExternalOrigin();
                scaleDownRemovesLeastBusyOrigin();
                deletePodHoldingStream();
                // the operator reconciled several times since: manual registrations are left alone
                assertThat(get(env.store().backend(external.backendId()))).as("manually registered origin")
                        .hasValueSatisfying(b -> assertThat(b.source()).isEqualTo(BackendSource.REGISTER));
                publishers.values().forEach(Publisher::close);
                deleteCluster();
            }
        } finally {
            publishers.values().forEach(Publisher::close);
            log.info("scenario timings: {}", timings);
        }
    }

    private void createCluster() throws Exception {
        OriginCluster c = new OriginCluster();
        c.getMetadata().setName(NAME);
        c.getMetadata().setNamespace(env.namespace());
        c.getSpec().origins.replicas = 2;
        // a cap of 2 streams per origin makes every placement below deterministic (least-pinned samples two
        // origins at random; only full origins are never candidates)
        c.getSpec().origins.maxStreams = MAX_STREAMS;
        c.getSpec().proxy.replicas = 1;
        // the user's proxy env is merged into the operator's: a short pin TTL lets a stopped stream's pin lapse
        c.getSpec().proxy.env = List.of(new io.fabric8.kubernetes.api.model.EnvVar("PROXY_PIN_TTL", "3s", null));
        env.prepare(c);
        long t0 = System.nanoTime();
        cluster = env.client().resources(OriginCluster.class).inNamespace(env.namespace()).resource(c).create();
        env.clusterCreated(cluster);

        await("origin and proxy Deployments").atMost(Duration.ofSeconds(30)).until(() ->
                deployment(Names.originDeployment(cluster)) != null && deployment(Names.proxyDeployment(cluster)) != null);
        await("2 origin pods registered").atMost(Duration.ofSeconds(30)).until(() -> kubernetesBackends().size() == 2);
        timings.put("create->2 origins registered", since(t0));
        // each registration is the pod's IP with the spec's ports: what the proxies dial
        for (Backend b : kubernetesBackends()) {
            Pod pod = pod(b.labels().get(PodBackends.LABEL_POD));
            assertThat(b.ip()).isEqualTo(pod.getStatus().getPodIP());
            assertThat(b.endpoint(io.origincluster.state.Protocol.RTMP)).hasValueSatisfying(e ->
                    assertThat(e.port()).isEqualTo(cluster.getSpec().origins.ports.rtmp));
        }

        env.proxiesUp(cluster);
        await("status Ready with 2 ready, 2 registered origins").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            OriginCluster now = current();
            assertThat(now.getStatus()).isNotNull();
            assertThat(now.getStatus().origins.ready).isEqualTo(2);
            assertThat(now.getStatus().origins.registered).isEqualTo(2);
            assertThat(now.getStatus().conditions).anySatisfy(cond -> {
                assertThat(cond.getType()).isEqualTo("Ready");
                assertThat(cond.getStatus()).isEqualTo("True");
            });
        });
        // the scale subresource's selector (what kubectl scale and an HPA read) selects exactly the origin pods
        String selector = current().getStatus().selector;
        assertThat(selector).isEqualTo(Labels.originSelectorString(cluster));
        assertThat(env.client().pods().inNamespace(env.namespace()).withLabels(parseSelector(selector))
                .list().getItems()).hasSize(2);
    }

    /** Four streams through the data plane: least-pinned placement puts two on each origin; they play back. */
    private void publishAcrossOrigins() {
        for (String s : List.of("s1", "s2", "s3", "s4")) {
            publishAndLocate(s);
        }
        Map<String, Long> perPod = List.of("s1", "s2", "s3", "s4").stream()
                .collect(Collectors.groupingBy(s -> onePod(s), Collectors.counting()));
        assertThat(perPod.values()).as("streams per origin %s", perPod).containsExactlyInAnyOrder(2L, 2L);
        assertPlays("s2");
    }

    /** Scale 2 -> 4: the old origins are full, so the next streams go to the new origins, two each. */
    private void scaleUpNewStreamsUseNewOrigins() {
        Set<String> before = Set.copyOf(originPodNames());
        long t0 = System.nanoTime();
        env.scaleOrigins(cluster, 4);
        await("4 origins registered").atMost(Duration.ofSeconds(30)).until(() -> kubernetesBackends().size() == 4);
        timings.put("scale 2->4: registered", since(t0));
        assertThat(current().getSpec().origins.replicas).isEqualTo(4);
        Set<String> added = new java.util.HashSet<>(originPodNames());
        added.removeAll(before);
        assertThat(added).hasSize(2);
        Map<String, Long> perPod = new HashMap<>();
        for (String s : List.of("s5", "s6", "s7", "s8")) {
            perPod.merge(publishAndLocate(s), 1L, Long::sum);
        }
        assertThat(perPod).as("new streams go to the new origins").containsOnlyKeys(added)
                .containsValues(2L);
    }

    private void registerExternalOrigin() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                env.systemApi().resolve("/api/v1/srs/register"))
                        .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(external.registerBody())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("register: %s", r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"code\":0");
        assertThat(get(env.store().backend(external.backendId()))).as("registered in the cluster's Redis")
                .hasValueSatisfying(b -> assertThat(b.source()).isEqualTo(BackendSource.REGISTER));
        // every Kubernetes origin is full: the next stream can only go to the external origin
        assertThat(publishAndLocate("s9")).as("s9 goes to the external origin").isEqualTo(EXTERNAL);
        assertPlays("s9");
    }

    /**
     * Scale 4 -> 3. One new origin loses a stream (its publisher stops, the pin lapses); the operator turns pinned
     * streams into deletion costs, so the ReplicaSet removes exactly that least busy origin. It is deregistered
     * within a second; its remaining stream's publisher reconnects to a live origin, and so do new streams.
     */
    private void scaleDownRemovesLeastBusyOrigin() {
        String lighter = onePod("s6");
        publishers.remove("s6").close();
        await("s6's pin lapsed").atMost(Duration.ofSeconds(10))
                .until(() -> pinsPerPod().getOrDefault(lighter, 0L) == 1L);
        await("deletion costs = pinned streams per pod").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Map<String, Long> pins = pinsPerPod();
            for (Pod p : originPods()) {
                assertThat(p.getMetadata().getAnnotations()).as(p.getMetadata().getName())
                        .containsEntry(KubeletSimulator.DELETION_COST,
                                Long.toString(pins.getOrDefault(p.getMetadata().getName(), 0L)));
            }
        });
        Set<String> before = Set.copyOf(originPodNames());
        Map<String, String> originOfStream = new HashMap<>();
        publishers.keySet().forEach(st -> where(st).forEach(o -> originOfStream.put(st, o)));
        env.scaleOrigins(cluster, 3);
        await("one origin pod removed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> originPodNames().size() == 3);
        long podGone = System.nanoTime();
        Set<String> removed = new java.util.HashSet<>(before);
        removed.removeAll(originPodNames());
        assertThat(removed).as("the scale-down removed the least busy origin").containsExactly(lighter);
        await("removed origin deregistered").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> kubernetesBackends().stream().noneMatch(b -> lighter.equals(b.labels().get(PodBackends.LABEL_POD))));
        timings.put("scale-down: pod gone->deregistered", since(podGone));
        List<String> orphans = originOfStream.entrySet().stream().filter(e -> e.getValue().equals(lighter))
                .map(Map.Entry::getKey).toList();
        assertThat(orphans).as("streams left on the removed origin").hasSize(1);
        for (String orphan : orphans) {
            await(orphan + " re-published on a live origin").atMost(Duration.ofSeconds(10))
                    .until(() -> where(orphan).size() == 1 && !where(orphan).contains(lighter));
        }
        assertThat(publishAndLocate("s10")).isNotEqualTo(lighter);
    }

    /** Deleting the pod that holds s1: the publisher's reconnect lands on a live origin within 2 s. */
    private void deletePodHoldingStream() {
        String holder = onePod("s1");
        assertThat(holder).isNotEqualTo(EXTERNAL);
        long t0 = System.nanoTime();
        env.client().pods().inNamespace(env.namespace()).withName(holder).delete();
        await("s1 re-published on a live origin").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    Set<String> on = where("s1");
                    return on.size() == 1 && !on.contains(holder);
                });
        timings.put("pod delete->s1 on live origin", since(t0));
        assertThat(kubernetesBackends()).noneMatch(b -> holder.equals(b.labels().get(PodBackends.LABEL_POD)));
        assertPlays("s1");
        // the ReplicaSet replaces the pod; the replacement registers
        await("replacement registered").atMost(Duration.ofSeconds(30)).until(() -> kubernetesBackends().size() == 3);
    }

    private void deleteCluster() {
        env.client().resources(OriginCluster.class).inNamespace(env.namespace()).withName(NAME).delete();
        await("cluster state removed from Redis").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(get(env.store().liveBackends())).isEmpty();
            assertThat(get(env.store().pins())).isEmpty();
        });
    }

    // ---- helpers

    private String publishAndLocate(String stream) {
        publishers.put(stream, Publisher.start(env.rtmpUrl(stream)));
        long t0 = System.nanoTime();
        await(stream + " published on an origin").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> where(stream).size() == 1);
        timings.put("publish " + stream, since(t0));
        return onePod(stream);
    }

    private String onePod(String stream) {
        Set<String> origins = where(stream);
        assertThat(origins).as("origins publishing %s", stream).hasSize(1);
        return origins.iterator().next();
    }

    /** The origins on which {@code live/<stream>} is being published now: pod names, or {@link #EXTERNAL}. */
    private Set<String> where(String stream) {
        Set<String> out = new java.util.TreeSet<>(env.podsPublishing(stream));
        if (external != null && external.isPublishing(stream)) {
            out.add(EXTERNAL);
        }
        return out;
    }

    private void assertPlays(String stream) {
        int frames = Ffmpeg.countVideoFrames(env.rtmpUrl(stream), 2, 20);
        assertThat(frames).as("video frames ffprobe decoded from %s through the data plane", stream)
                .isGreaterThan(10);
    }

    private OriginCluster current() {
        return env.client().resources(OriginCluster.class).inNamespace(env.namespace()).withName(NAME).get();
    }

    private Deployment deployment(String name) {
        return env.client().apps().deployments().inNamespace(env.namespace()).withName(name).get();
    }

    private List<Pod> originPods() {
        return env.client().pods().inNamespace(env.namespace())
                .withLabels(Labels.selector(cluster, Labels.Role.ORIGIN)).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private List<String> originPodNames() {
        return originPods().stream().map(p -> p.getMetadata().getName()).toList();
    }

    private Pod pod(String name) {
        return env.client().pods().inNamespace(env.namespace()).withName(name).get();
    }

    private List<Backend> kubernetesBackends() {
        return get(env.store().liveBackends()).stream().filter(b -> b.source() == BackendSource.KUBERNETES)
                .toList();
    }

    /** Pinned streams per origin pod, from the store (what the operator computes deletion costs from). */
    private Map<String, Long> pinsPerPod() {
        Map<String, String> podOfBackend = kubernetesBackends().stream()
                .collect(Collectors.toMap(Backend::id, b -> b.labels().get(PodBackends.LABEL_POD)));
        return get(env.store().pins()).values().stream().filter(podOfBackend::containsKey)
                .collect(Collectors.groupingBy(podOfBackend::get, Collectors.counting()));
    }

    static <T> T get(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Labels a label-selector string selects, as the scale subresource's status.selector is read by an HPA. */
    private static Map<String, String> parseSelector(String selector) {
        Map<String, String> m = new HashMap<>();
        for (String part : selector.split(",")) {
            String[] kv = part.split("=", 2);
            m.put(kv[0].trim(), kv[1].trim());
        }
        return m;
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}

package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.origincluster.dataplane.testpeers.DecodingPlayer;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.resources.Labels;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Origin changes an operator of live video makes every day, with clients connected the whole time: every origin pod
 * replaced one by one (what {@code kubectl rollout restart} does), then a scale-down from three origins to one. The operator on the CRUD mock,
 * real Redis, the real data plane from the operator's Deployment, nginx-rtmp per pod, and a kubelet simulator that
 * terminates pods gracefully (preStop hook, then stop), so the operator drains each origin as its pod goes. Each
 * stream has an ffmpeg publisher and a decoding ffmpeg player through the data plane; none of them may reconnect
 * or exit.
 */
class HitlessOriginChangesEndToEndTest {

    private static final List<String> STREAMS = List.of("h1", "h2", "h3");
    private static final int DRAIN_SECONDS = 3;

    @Test
    @Timeout(180)
    void rollingReplacementAndScaleDownDisconnectNoClient() throws Exception {
        Map<String, Publisher> publishers = new LinkedHashMap<>();
        Map<String, DecodingPlayer> players = new LinkedHashMap<>();
        try (MockCluster env = new MockCluster("hitless", true)) {
            OriginCluster c = new OriginCluster();
            c.getMetadata().setName("live");
            c.getMetadata().setNamespace(env.namespace());
            c.getSpec().origins.replicas = 3;
            c.getSpec().origins.drain.timeoutSeconds = DRAIN_SECONDS;
            c.getSpec().proxy.replicas = 1;
            env.prepare(c);
            OriginCluster cluster = env.client().resources(OriginCluster.class).inNamespace(env.namespace())
                    .resource(c).create();
            env.clusterCreated(cluster);
            await("3 origins registered").atMost(Duration.ofSeconds(30)).until(() -> serving(env).size() == 3);
            env.proxiesUp(cluster);

            for (String s : STREAMS) {
                publishers.put(s, Publisher.start(env.rtmpUrl(s)));
                await(s + " published").atMost(Duration.ofSeconds(15)).until(() -> env.podsPublishing(s).size() == 1);
                players.put(s, DecodingPlayer.play("player-" + s, env.rtmpUrl(s)));
            }
            awaitFrames(players, 25, Duration.ofSeconds(20));
            long t0 = System.nanoTime();

            // rolling replacement: each original pod is deleted once its replacement serves
            List<String> originals = podNames(env, cluster);
            for (String pod : originals) {
                env.client().pods().inNamespace(env.namespace()).withName(pod).delete();
                await(pod + " draining").atMost(Duration.ofSeconds(3)).until(() -> draining(env).contains(pod));
                await("replacement of " + pod + " serving").atMost(Duration.ofSeconds(30))
                        .until(() -> serving(env).size() == 3);
            }
            await("every original pod gone").atMost(Duration.ofSeconds(30)).until(() -> {
                Set<String> left = new HashSet<>(originals);
                left.retainAll(allPodNames(env, cluster));
                return left.isEmpty();
            });
            for (String s : STREAMS) {
                assertThat(env.podsPublishing(s)).as(s + " is on a new pod").hasSize(1).doesNotContainAnyElementsOf(originals);
            }
            awaitFrames(players, 50, Duration.ofSeconds(20));

            // scale-down to one origin: at least one removed pod holds streams, which drain the same way
            List<String> before = podNames(env, cluster);
            long movedBefore = env.proxy().dataplane().routing().sessions().stats().completed();
            env.scaleOrigins(cluster, 1);
            await("two pods removed").atMost(Duration.ofSeconds(15)).until(() -> podNames(env, cluster).size() == 1);
            await("the removed pods gone").atMost(Duration.ofSeconds(30))
                    .until(() -> allPodNames(env, cluster).size() == 1);
            assertThat(env.proxy().dataplane().routing().sessions().stats().completed())
                    .as("sessions moved by the scale-down").isGreaterThan(movedBefore);
            List<String> removed = new ArrayList<>(before);
            removed.removeAll(podNames(env, cluster));
            for (String s : STREAMS) {
                assertThat(env.podsPublishing(s)).as(s + " left the removed pods").hasSize(1)
                        .doesNotContainAnyElementsOf(removed);
            }
            awaitFrames(players, 50, Duration.ofSeconds(20));

            for (String s : STREAMS) {
                DecodingPlayer p = players.get(s);
                System.out.printf("e2e %s: publisher starts %d, player longest stall %d ms over %d frames%n", s,
                        publishers.get(s).attempts(), p.maxGapMillisSince(t0), p.frameCount());
                assertThat(publishers.get(s).attempts()).as("publisher of %s never reconnected", s).isEqualTo(1);
                assertThat(p.isAlive()).as(p.log()).isTrue();
                assertThat(p.backwardSteps()).as(p.log()).isEmpty();
                assertThat(p.maxGapMillisSince(t0)).as(p.log()).isLessThan(3000);
            }
            assertThat(env.proxy().dataplane().routing().sessions().stats().failed()).as("failed moves").isZero();
        } finally {
            players.values().forEach(DecodingPlayer::close);
            publishers.values().forEach(Publisher::close);
        }
    }

    private static void awaitFrames(Map<String, DecodingPlayer> players, int more, Duration within) {
        Map<String, Integer> base = new LinkedHashMap<>();
        players.forEach((s, p) -> base.put(s, p.frameCount()));
        await("players decoding").atMost(within).untilAsserted(() -> players.forEach((s, p) -> {
            assertThat(p.isAlive()).as(p.log()).isTrue();
            assertThat(p.frameCount() - base.get(s)).as(p.log()).isGreaterThanOrEqualTo(more);
        }));
    }

    /** Registered, non-draining Kubernetes origins, by pod name. */
    private static Set<String> serving(MockCluster env) {
        Set<String> out = new HashSet<>();
        for (Backend b : OriginClusterScenario.get(env.store().liveBackends())) {
            if (b.source() == BackendSource.KUBERNETES && !b.draining()) {
                out.add(b.labels().get(PodBackends.LABEL_POD));
            }
        }
        return out;
    }

    private static Set<String> draining(MockCluster env) {
        Set<String> out = new HashSet<>();
        for (Backend b : OriginClusterScenario.get(env.store().liveBackends())) {
            if (b.draining()) {
                out.add(b.labels().get(PodBackends.LABEL_POD));
            }
        }
        return out;
    }

    /** Origin pods not being deleted. */
    private static List<String> podNames(MockCluster env, OriginCluster cluster) {
        return pods(env, cluster).stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(p -> p.getMetadata().getName()).toList();
    }

    private static List<String> allPodNames(MockCluster env, OriginCluster cluster) {
        return pods(env, cluster).stream().map(p -> p.getMetadata().getName()).toList();
    }

    private static List<Pod> pods(MockCluster env, OriginCluster cluster) {
        return env.client().pods().inNamespace(env.namespace())
                .withLabels(Labels.selector(cluster, Labels.Role.ORIGIN)).list().getItems();
    }
}

package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.DecodingPlayer;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher on proxy A, the players on proxy B, one Redis, three origins: when the stream's origin dies or
 * drains, both proxies move to the same new origin (one atomic re-pin), so no player waits on an origin that never
 * gets the stream.
 */
class RtmpHitlessMultiProxyTest {

    private final List<NginxRtmpOrigin> origins = new ArrayList<>();
    private final List<DecodingPlayer> players = new ArrayList<>();
    private RedisServer redis;
    private Dataplane a;
    private Dataplane b;
    private Proc publisher;
    private long quietFrom;
    private long quietTo;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < 3; i++) {
            origins.add(NginxRtmpOrigin.start());
        }
        redis = RedisServer.start();
        Map<String, String> env = Map.of("PROXY_PLAYER_HOLD", "10s", "PROXY_DRAIN_TIMEOUT", "10s");
        a = RtmpProxyHarness.start(env, RedisStateStore.connect(redis.uri(), "hitless", PlacementPolicy.named("random")));
        b = RtmpProxyHarness.start(env, RedisStateStore.connect(redis.uri(), "hitless", PlacementPolicy.named("random")));
        for (int i = 0; i < origins.size(); i++) {
            register(a.store(), "origin-" + i, origins.get(i));
        }
    }

    @AfterEach
    void stop() {
        players.forEach(DecodingPlayer::close);
        if (publisher != null) {
            publisher.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        origins.forEach(NginxRtmpOrigin::close);
    }

    private String publishOnAPlayOnB(String stream) {
        publisher = Ffmpeg.publishRtmp(url(a, stream));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RtmpProxyHarness.rtmp(a).relayingSessions() == 1);
        players.add(DecodingPlayer.play("b-player-0", url(b, stream)));
        players.add(DecodingPlayer.play("b-player-1", url(b, stream)));
        awaitFrames(25, Duration.ofSeconds(15));
        quietFrom = System.nanoTime();
        awaitFrames(25, Duration.ofSeconds(15));
        quietTo = System.nanoTime();
        return pinnedBackend(a.store(), StreamKey.fromRtmp("rtmp://127.0.0.1/live", stream).toString()).orElseThrow();
    }

    private void awaitFrames(int more, Duration within) {
        int[] base = players.stream().mapToInt(DecodingPlayer::frameCount).toArray();
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (int i = 0; i < players.size(); i++) {
                assertThat(players.get(i).isAlive()).as(players.get(i).log()).isTrue();
                assertThat(players.get(i).frameCount() - base[i]).as(players.get(i).log()).isGreaterThanOrEqualTo(more);
            }
        });
    }

    private void assertOneOriginFor(String key, String notThis, long sinceNanos, long maxStallMillis, String what) {
        String now = pinnedBackend(a.store(), key).orElseThrow();
        assertThat(now).isNotEqualTo(notThis);
        assertThat(a.routing().sessions().countsByBackend()).as("publisher's proxy").isEqualTo(Map.of(now, 1));
        assertThat(b.routing().sessions().countsByBackend()).as("players' proxy").isEqualTo(Map.of(now, 2));
        for (DecodingPlayer p : players) {
            long stall = p.maxGapMillisSince(sinceNanos);
            long quiet = p.maxGapMillisBetween(quietFrom, quietTo);
            System.out.printf("%s, two proxies: longest stall %d ms (quiet window before: %d ms)%n", what, stall,
                    quiet);
            assertThat(p.backwardSteps()).as(p.log()).isEmpty();
            assertThat(stall).as(p.log()).isLessThan(maxStallMillis + quiet);
        }
        assertThat(b.routing().sessions().stats().maxStallNanos() / 1_000_000).as("stall measured by proxy B")
                .isLessThan(maxStallMillis);
        assertThat(publisher.isAlive()).as(publisher.output()).isTrue();
    }

    @Test
    void originDeathMovesPublisherAndPlayersToTheSameOrigin() {
        String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "split").toString();
        String holder = publishOnAPlayOnB("split");
        long t0 = System.nanoTime();
        origins.get(Integer.parseInt(holder.substring("origin-".length()))).kill();
        awaitFrames(75, Duration.ofSeconds(20));
        assertOneOriginFor(key, holder, t0, 3000, "origin SIGKILL");
    }

    @Test
    void drainThroughOneProxyMovesSessionsOnBoth() {
        String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "both").toString();
        String holder = publishOnAPlayOnB("both");
        long t0 = System.nanoTime();
        RtmpProxyHarness.join(a.store().setDraining(holder, true));
        Awaitility.await().atMost(Duration.ofSeconds(12)).untilAsserted(() -> {
            assertThat(a.routing().sessions().countsByBackend().keySet()).doesNotContain(holder);
            assertThat(b.routing().sessions().countsByBackend().keySet()).doesNotContain(holder);
        });
        awaitFrames(50, Duration.ofSeconds(15));
        assertOneOriginFor(key, holder, t0, 500, "drain");
        assertThat(a.routing().sessions().stats().completed()).as("moves completed on A").isEqualTo(1);
        assertThat(b.routing().sessions().stats().completed()).as("moves completed on B").isEqualTo(2);
    }
}

package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.DecodingPlayer;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.LeakWatch;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Origin changes that clients must not notice beyond a stall, with real peers: nginx-rtmp origins, an ffmpeg
 * publisher and ffmpeg players that decode every frame ({@code -xerror}) through the proxy. Each case checks that
 * no client process exits, decoding goes on, presentation time never goes backwards, and prints each player's
 * longest stall.
 */
class RtmpHitlessTest {

    private static final int PLAYERS = 2;
    private static LeakWatch leaks;

    @org.junit.jupiter.api.BeforeAll
    static void watchLeaks() {
        leaks = new LeakWatch();
    }

    /** Every buffer a splice retained (publish cache, held headers, replaced legs) was released. */
    @org.junit.jupiter.api.AfterAll
    static void noLeaks() throws Exception {
        try {
            assertThat(leaks.leaks()).isEmpty();
        } finally {
            leaks.close();
        }
    }

    private final List<NginxRtmpOrigin> origins = new ArrayList<>();
    private final List<DecodingPlayer> players = new ArrayList<>();
    private Dataplane proxy;
    private Proc publisher;
    private String key;
    private long quietFrom;
    private long quietTo;

    @BeforeEach
    void start() throws Exception {
        origins.add(NginxRtmpOrigin.start());
        origins.add(NginxRtmpOrigin.start());
        proxy = RtmpProxyHarness.start(Map.of("PROXY_PLAYER_HOLD", "10s", "PROXY_DRAIN_TIMEOUT", "10s"));
        register(proxy.store(), "origin-0", origins.get(0));
        register(proxy.store(), "origin-1", origins.get(1));
    }

    @AfterEach
    void stop() {
        players.forEach(DecodingPlayer::close);
        if (publisher != null) {
            publisher.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        origins.forEach(NginxRtmpOrigin::close);
    }

    /** A publisher and players through the proxy, all decoding; returns the index of the origin holding it. */
    private int publishAndPlay(String stream) {
        key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", stream).toString();
        publisher = Ffmpeg.publishRtmp(url(proxy, stream));
        RtmpServer rtmp = RtmpProxyHarness.rtmp(proxy);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rtmp.relayingSessions() == 1);
        for (int i = 0; i < PLAYERS; i++) {
            players.add(DecodingPlayer.play("rtmp-player-" + i, url(proxy, stream)));
        }
        awaitFramesEach(25, Duration.ofSeconds(15));
        quietFrom = System.nanoTime();
        awaitFramesEach(25, Duration.ofSeconds(15));
        quietTo = System.nanoTime();
        String holder = pinnedBackend(proxy.store(), key).orElseThrow();
        return Integer.parseInt(holder.substring("origin-".length()));
    }

    private void awaitFramesEach(int more, Duration within) {
        int[] base = players.stream().mapToInt(DecodingPlayer::frameCount).toArray();
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (int i = 0; i < players.size(); i++) {
                DecodingPlayer p = players.get(i);
                assertThat(p.isAlive()).as(p.log()).isTrue();
                assertThat(p.frameCount() - base[i]).as(p.log()).isGreaterThanOrEqualTo(more);
            }
        });
    }

    /**
     * Each player's longest gap between decoded frames since {@code sinceNanos} must stay under
     * {@code maxStallMillis} beyond the longest gap of a quiet window of the same players just before (what ffmpeg
     * and a loaded machine add anyway; printed), and the proxy's own measure of each move's stall under the bound.
     */
    private void assertPlayersUnharmed(long sinceNanos, long maxStallMillis, String what) {
        for (DecodingPlayer p : players) {
            long stall = p.maxGapMillisSince(sinceNanos);
            long quiet = p.maxGapMillisBetween(quietFrom, quietTo);
            System.out.printf("%s: %s longest stall %d ms (quiet window before: %d ms), %d frames%n", what,
                    p.log().lines().findFirst().orElse(""), stall, quiet, p.frameCount());
            assertThat(p.isAlive()).as(p.log()).isTrue();
            assertThat(p.backwardSteps()).as("presentation time going backwards; " + p.log()).isEmpty();
            assertThat(stall).as("longest stall in ms beyond the quiet window's %d ms; %s", quiet, p.log())
                    .isLessThan(maxStallMillis + quiet);
        }
        long proxyStall = proxy.routing().sessions().stats().maxStallNanos() / 1_000_000;
        System.out.printf("%s: longest stall measured by the proxy %d ms%n", what, proxyStall);
        assertThat(proxyStall).isLessThan(maxStallMillis);
        assertThat(publisher.isAlive()).as("publisher: " + publisher.output()).isTrue();
    }

    @Test
    void killedOriginIsAStallNotADisconnect() {
        int victim = publishAndPlay("die");
        long t0 = System.nanoTime();
        origins.get(victim).kill();
        awaitFramesEach(75, Duration.ofSeconds(20));
        assertThat(pinnedBackend(proxy.store(), key)).contains("origin-" + (1 - victim));
        assertPlayersUnharmed(t0, 3000, "origin SIGKILL");
        assertThat(proxy.routing().sessions().stats().completed()).isGreaterThanOrEqualTo(PLAYERS + 1);
    }

    @Test
    void drainedOriginHandsOverWithoutAVisibleStall() throws Exception {
        int victim = publishAndPlay("drain");
        long t0 = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + proxy.port("system-api") + "/api/v1/origins/origin-" + victim + "/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"draining\":true").contains("\"sessions\":" + (PLAYERS + 1));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                proxy.routing().sessions().countsByBackend()).isEqualTo(Map.of("origin-" + (1 - victim), PLAYERS + 1)));
        awaitFramesEach(50, Duration.ofSeconds(15));
        assertThat(pinnedBackend(proxy.store(), key)).contains("origin-" + (1 - victim));
        assertPlayersUnharmed(t0, 500, "drain");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + proxy.port("system-api") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("origincluster_session_moves_total{outcome=\"completed\",protocol=\"rtmp\","
                + "reason=\"drain\"} " + (PLAYERS + 1) + ".0")
                .contains("origincluster_session_move_stall_seconds_count{protocol=\"rtmp\",reason=\"drain\"} "
                        + (PLAYERS + 1) + "\n")
                .doesNotContain("outcome=\"failed\"");
    }

    @Test
    void playersWaitForTheirPublisherToComeBack() throws Exception {
        publishAndPlay("back");
        publisher.kill();
        long t0 = System.nanoTime();
        Thread.sleep(2000);
        publisher = Ffmpeg.publishRtmp(url(proxy, "back"));
        awaitFramesEach(50, Duration.ofSeconds(20));
        for (DecodingPlayer p : players) {
            long stall = p.maxGapMillisSince(t0);
            System.out.printf("publisher restart: longest stall %d ms%n", stall);
            assertThat(p.isAlive()).as(p.log()).isTrue();
            assertThat(p.backwardSteps()).as(p.log()).isEmpty();
            assertThat(stall).as(p.log()).isLessThan(10_000);
        }
    }

    @Test
    void playersEndNormallyWhenThePublisherDoesNotComeBackWithinTheHold() throws Exception {
        proxy.close();
        proxy = RtmpProxyHarness.start(Map.of("PROXY_PLAYER_HOLD", "2s"));
        register(proxy.store(), "origin-0", origins.get(0));
        publishAndPlay("gone");
        publisher.kill();
        long t0 = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> players.stream().noneMatch(DecodingPlayer::isAlive));
        long endedAfter = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("publisher gone for good: players ended after %d ms%n", endedAfter);
        assertThat(endedAfter).as("players are held at least the hold").isGreaterThanOrEqualTo(1500);
        for (DecodingPlayer p : players) {
            assertThat(p.exitCode()).as("a normal end of stream; " + p.log()).isZero();
        }
        assertThat(RtmpProxyHarness.rtmp(proxy).activeSessions()).isZero();
    }
}

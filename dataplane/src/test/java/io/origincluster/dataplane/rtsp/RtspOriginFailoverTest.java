package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two origins serve the stream; the one it is pinned to dies. The player's session ends with its origin (RTSP
 * sessions are not moved), and its reconnect lands on the live origin at once, with frames decoded.
 */
class RtspOriginFailoverTest {

    private static final String KEY = "__defaultVhost__/live/cam1";

    @Test
    void aReconnectAfterThePinnedOriginDiesPlaysFromTheOtherOne() throws Exception {
        List<GstRtspOrigin> origins = List.of(GstRtspOrigin.start(List.of("/live/cam1"), List.of()),
                GstRtspOrigin.start(List.of("/live/cam1"), List.of()));
        try (Dataplane proxy = RtspHarness.start(Map.of())) {
            RtspHarness.register(proxy.store(), "origin-0", origins.get(0));
            RtspHarness.register(proxy.store(), "origin-1", origins.get(1));
            String url = RtspHarness.url(proxy, "/live/cam1");
            RtspServer rtsp = RtspHarness.rtsp(proxy);
            int victim;
            try (Proc player = Proc.start("ffmpeg-play-rtsp", List.of("ffmpeg", "-v", "error", "-rtsp_transport",
                    "tcp", "-i", url, "-f", "null", "-"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> rtsp.streamingSessions() == 1);
                String victimId = RtspHarness.pinned(proxy.store(), KEY).orElseThrow();
                victim = Integer.parseInt(victimId.substring("origin-".length()));
                origins.get(victim).kill();
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> rtsp.activeSessions() == 0);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !player.isAlive());
            }
            long t0 = System.nanoTime();
            int frames = Ffmpeg.countRtspVideoFrames(url, "tcp", 2, 30);
            assertThat(frames).as("frames from the surviving origin").isGreaterThan(20);
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).contains("origin-" + (1 - victim));
            assertThat((System.nanoTime() - t0) / 1_000_000).as("reconnect and 2 s of play, ms").isLessThan(10_000);
        } finally {
            origins.forEach(GstRtspOrigin::close);
        }
    }

    @Test
    void withNoOriginReachableTheClientGets503AndNothingLeaks() throws Exception {
        GstRtspOrigin origin = GstRtspOrigin.start(List.of("/live/cam1"), List.of());
        try (Dataplane proxy = RtspHarness.start(Map.of())) {
            RtspHarness.register(proxy.store(), "origin-0", origin);
            origin.kill();
            int port = proxy.port("rtsp");
            try (RawRtsp c = new RawRtsp(port)) {
                RawRtsp.Response r = c.request("DESCRIBE", "rtsp://127.0.0.1:" + port + "/live/cam1", 1);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("CSeq")).isEqualTo("1");
                assertThat(c.closedWithin(2000)).isTrue();
            }
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).as("the refusing origin is unpinned").isEmpty();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
        } finally {
            origin.close();
        }
    }
}

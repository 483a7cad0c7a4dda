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
 * RTSP sessions are counted per origin and, when it drains, keep playing until the drain deadline, then end; the
 * stream is unpinned from the draining origin so the player's reconnect lands on another one.
 */
class RtspDrainTest {

    private static final String KEY = "__defaultVhost__/live/cam1";

    @Test
    void aDrainEndsTheSessionAtTheDeadlineAndTheReconnectGoesElsewhere() throws Exception {
        List<GstRtspOrigin> origins = List.of(GstRtspOrigin.start(List.of("/live/cam1"), List.of()),
                GstRtspOrigin.start(List.of("/live/cam1"), List.of()));
        try (Dataplane proxy = RtspHarness.start(Map.of("PROXY_DRAIN_TIMEOUT", "2s"))) {
            RtspHarness.register(proxy.store(), "origin-0", origins.get(0));
            RtspHarness.register(proxy.store(), "origin-1", origins.get(1));
            String url = RtspHarness.url(proxy, "/live/cam1");
            RtspServer rtsp = RtspHarness.rtsp(proxy);
            String drained;
            try (Proc player = Proc.start("ffmpeg-play-rtsp", List.of("ffmpeg", "-v", "error", "-rtsp_transport",
                    "tcp", "-i", url, "-f", "null", "-"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> rtsp.streamingSessions() == 1);
                drained = RtspHarness.pinned(proxy.store(), KEY).orElseThrow();
                assertThat(proxy.routing().sessions().countsByBackend()).containsExactly(Map.entry(drained, 1));
                long t0 = System.nanoTime();
                RtspHarness.join(proxy.store().setDraining(drained, true));
                Thread.sleep(500);
                assertThat(rtsp.streamingSessions()).as("still playing before the deadline").isEqualTo(1);
                Awaitility.await().atMost(Duration.ofSeconds(6)).until(() -> rtsp.activeSessions() == 0);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ended at the deadline, ms").isBetween(1500L, 5000L);
                assertThat(proxy.routing().sessions().size()).isZero();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !player.isAlive());
            }
            assertThat(Ffmpeg.countRtspVideoFrames(url, "tcp", 2, 30)).isGreaterThan(20);
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).isPresent().get().isNotEqualTo(drained);
        } finally {
            origins.forEach(GstRtspOrigin::close);
        }
    }
}

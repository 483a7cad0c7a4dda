package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.StreamTokens;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code PROXY_AUTH=token} over RTSP with gst-rtsp-server behind and ffmpeg/ffprobe in front: 401 or relayed. */
class RtspAuthTest {

    private static final String SECRET = "rtsp-auth-test-secret-0123";
    private static final StreamTokens TOKENS = new StreamTokens(SECRET);
    private static GstRtspOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = GstRtspOrigin.start(List.of("/live/cam1"), List.of("/live/pub"));
        proxy = RtspHarness.start(Map.of("PROXY_AUTH", "token", "PROXY_AUTH_SECRET", SECRET));
        RtspHarness.register(proxy.store(), "gst-0", origin);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static String token(Action a, String stream) {
        return TOKENS.mint(a, stream, Duration.ofMinutes(10), Instant.now());
    }

    @Test
    void describeAndAnnounceAreAnswered401WithoutATokenAndRelayedWithOne() throws Exception {
        int port = proxy.port("rtsp");
        try (RawRtsp c = new RawRtsp(port)) {
            RawRtsp.Response d = c.request("DESCRIBE", "rtsp://127.0.0.1:" + port + "/live/cam1", 1);
            assertThat(d.status()).isEqualTo(401);
            assertThat(d.header("CSeq")).isEqualTo("1");
            assertThat(c.closedWithin(3000)).as("the refused connection is closed").isTrue();
        }
        try (RawRtsp c = new RawRtsp(port)) {
            RawRtsp.Response d = c.request("DESCRIBE", "rtsp://127.0.0.1:" + port + "/live/cam1?token="
                    + token(Action.PUBLISH, "live/cam1"), 1);
            assertThat(d.status()).as("a publish token does not play").isEqualTo(403);
        }
        try (Proc probe = Proc.start("ffprobe-rtsp-no-token", List.of("ffprobe", "-v", "error", "-rtsp_transport",
                "tcp", RtspHarness.url(proxy, "/live/cam1")))) {
            assertThat(probe.waitFor(20)).as(probe.output()).isNotIn(0, -1);
            assertThat(probe.output()).contains("401");
        }
        int frames = Ffmpeg.countRtspVideoFrames(RtspHarness.url(proxy, "/live/cam1?token="
                + token(Action.PLAY, "live/cam1")), "tcp", 2, 30);
        assertThat(frames).as("frames with a play token; origin: %s", origin.output()).isGreaterThan(20);

        try (Proc refused = Proc.start("ffmpeg-rtsp-no-token", List.of("ffmpeg", "-v", "error", "-re", "-i",
                io.origincluster.dataplane.testpeers.TestMedia.flv().toString(), "-c", "copy", "-f", "rtsp",
                "-rtsp_transport", "tcp", RtspHarness.url(proxy, "/live/pub")))) {
            assertThat(refused.waitFor(20)).as(refused.output()).isNotIn(0, -1);
            assertThat(refused.output()).contains("401");
        }
        assertThat(origin.recordedFrames("/live/pub")).isZero();
        try (Proc publisher = Ffmpeg.publishRtsp(RtspHarness.url(proxy, "/live/pub?token="
                + token(Action.PUBLISH, "live/pub")))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> origin.recordedFrames("/live/pub") > 50 || !publisher.isAlive());
            assertThat(origin.recordedFrames("/live/pub")).as("publisher: %s", publisher.output()).isGreaterThan(50);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
    }
}

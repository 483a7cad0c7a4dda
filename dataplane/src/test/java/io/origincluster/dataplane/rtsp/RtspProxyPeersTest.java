package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real peers on both sides: gst-rtsp-server as the origin, ffmpeg publishing and ffprobe playing through the
 * proxy, frames decoded. The client only ever sees the proxy's address.
 */
class RtspProxyPeersTest {

    private static GstRtspOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = GstRtspOrigin.start(List.of("/live/cam1"), List.of("/live/pub"));
        proxy = RtspHarness.start(Map.of());
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

    @Test
    void ffprobePlaysOverTcpThroughTheProxyWithFramesDecoded() {
        int frames = Ffmpeg.countRtspVideoFrames(RtspHarness.url(proxy, "/live/cam1"), "tcp", 2, 30);
        assertThat(frames).as("frames decoded through the proxy; origin: %s", origin.output()).isGreaterThan(20);
        String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "cam1").toString();
        assertThat(key).isEqualTo("__defaultVhost__/live/cam1");
        assertThat(RtspHarness.pinned(proxy.store(), key)).as("the same key as RTMP").contains("gst-0");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
    }

    @Test
    void aClientAskingForUdpGets461AndRetriesOverTcp() {
        // ffmpeg's default order: UDP first, then TCP when the server answers 461 Unsupported Transport
        long before = RtspHarness.rtsp(proxy).unsupportedTransports();
        int frames = Ffmpeg.countRtspVideoFrames(RtspHarness.url(proxy, "/live/cam1"), "udp+tcp", 2, 30);
        assertThat(frames).isGreaterThan(20);
        assertThat(RtspHarness.rtsp(proxy).unsupportedTransports()).as("UDP was asked for and refused")
                .isGreaterThan(before);
    }

    @Test
    void ffmpegPublishesThroughTheProxyAndTheOriginDecodesIt() {
        try (Proc publisher = Ffmpeg.publishRtsp(RtspHarness.url(proxy, "/live/pub"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> origin.recordedFrames("/live/pub") > 50 || !publisher.isAlive());
            assertThat(origin.recordedFrames("/live/pub")).as("publisher: %s", publisher.output()).isGreaterThan(50);
            assertThat(RtspHarness.rtsp(proxy).streamingSessions()).isEqualTo(1);
            assertThat(proxy.routing().sessions().countsByBackend()).containsEntry("gst-0", 1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
        assertThat(proxy.routing().sessions().size()).isZero();
    }

    @Test
    void describeNamesOnlyTheProxyAndSetupWithoutTcpGets461() throws Exception {
        int port = proxy.port("rtsp");
        String base = "rtsp://127.0.0.1:" + port + "/live/cam1";
        try (RawRtsp c = new RawRtsp(port)) {
            RawRtsp.Response options = c.request("OPTIONS", base, 1);
            assertThat(options.status()).isEqualTo(200);
            assertThat(options.header("CSeq")).isEqualTo("1");
            assertThat(options.header("Public")).as("answered by the proxy before routing").contains("ANNOUNCE");
            assertThat(options.header("Server")).isNull();
            RawRtsp.Response d = c.request("DESCRIBE", base, 2, "Accept: application/sdp");
            assertThat(d.status()).isEqualTo(200);
            assertThat(d.header("CSeq")).isEqualTo("2");
            assertThat(d.header("Content-Base")).isEqualTo(base + "/");
            assertThat(d.head() + d.body()).doesNotContain(":" + origin.port()).contains("m=video");
            RawRtsp.Response udp = c.request("SETUP", base + "/stream=0", 3,
                    "Transport: RTP/AVP;unicast;client_port=5000-5001");
            assertThat(udp.status()).isEqualTo(461);
            assertThat(udp.header("CSeq")).isEqualTo("3");
            RawRtsp.Response tcp = c.request("SETUP", base + "/stream=0", 4,
                    "Transport: RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1");
            assertThat(tcp.status()).as(tcp.head()).isEqualTo(200);
            assertThat(tcp.header("Transport")).contains("interleaved=0-1");
            String session = tcp.header("Session").split(";")[0];
            RawRtsp.Response play = c.request("PLAY", base + "/", 5, "Session: " + session);
            assertThat(play.status()).isEqualTo(200);
            assertThat(play.header("Session")).startsWith(session);
            assertThat(play.header("RTP-Info")).contains("url=" + base + "/stream=0").doesNotContain(":" + origin.port());
            RawRtsp.Response keepAlive = c.request("GET_PARAMETER", base + "/", 6, "Session: " + session);
            assertThat(keepAlive.status()).isEqualTo(200);
            assertThat(keepAlive.header("CSeq")).isEqualTo("6");
            RawRtsp.Response ping = c.request("OPTIONS", base + "/", 7, "Session: " + session);
            assertThat(ping.header("CSeq")).isEqualTo("7");
            assertThat(ping.header("Server")).as("a keep-alive reaches the origin").contains("GStreamer");
            RawRtsp.Response other = c.request("DESCRIBE", "rtsp://127.0.0.1:" + port + "/live/other", 77);
            assertThat(other.status()).as("one stream per connection").isEqualTo(400);
            RawRtsp.Response teardown = c.request("TEARDOWN", base + "/", 8, "Session: " + session);
            assertThat(teardown.status()).isEqualTo(200);
        }
    }
}

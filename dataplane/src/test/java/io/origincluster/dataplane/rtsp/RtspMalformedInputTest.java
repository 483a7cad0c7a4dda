package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.dataplane.testpeers.LeakWatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a broken or hostile client sends closes its session and nothing else: garbage, heads and bodies over the
 * bounds, interleaved frames on channels no SETUP named, silence. Netty's leak detector watches every buffer.
 */
class RtspMalformedInputTest {

    private static LeakWatch leaks;
    private static GstRtspOrigin origin;
    private static Dataplane proxy;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        leaks = new LeakWatch();
        origin = GstRtspOrigin.start(List.of("/live/cam1"), List.of());
        proxy = RtspHarness.start(Map.of("PROXY_RTSP_SETUP_TIMEOUT", "3s", "PROXY_RTSP_IDLE_TIMEOUT", "1s"));
        RtspHarness.register(proxy.store(), "gst-0", origin);
        port = proxy.port("rtsp");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (proxy != null) {
                proxy.close();
            }
            if (origin != null) {
                origin.close();
            }
            assertThat(leaks.leaks()).isEmpty();
        } finally {
            leaks.close();
        }
    }

    private static String base() {
        return "rtsp://127.0.0.1:" + port + "/live/cam1";
    }

    @Test
    void binaryGarbageClosesTheSession() throws Exception {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        junk[0] = 0x01;
        try (RawRtsp c = new RawRtsp(port)) {
            c.send(junk);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertNoSessionLeft();
    }

    @Test
    void aHeadWithoutEndOverTheBoundClosesTheSession() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            c.send("OPTIONS " + base() + " RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + "a".repeat(40_000));
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertNoSessionLeft();
    }

    @Test
    void tooManyHeadersOrAHugeBodyCloseTheSession() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            c.send("OPTIONS " + base() + " RTSP/1.0\r\n" + "X-H: 1\r\n".repeat(100) + "\r\n");
            assertThat(c.closedWithin(2000)).isTrue();
        }
        try (RawRtsp c = new RawRtsp(port)) {
            c.send("ANNOUNCE " + base() + " RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 999999\r\n\r\n");
            assertThat(c.closedWithin(2000)).isTrue();
        }
        try (RawRtsp c = new RawRtsp(port)) {
            c.send("OPTIONS " + base() + " HTTP/1.1\r\nCSeq: 1\r\n\r\n");
            assertThat(c.closedWithin(2000)).as("not RTSP").isTrue();
        }
        assertNoSessionLeft();
    }

    @Test
    void anInterleavedFrameBeforeAnySetupClosesTheSession() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            assertThat(c.request("OPTIONS", base(), 1).status()).isEqualTo(200);
            c.send(new byte[] {'$', 0, 0, 4, 1, 2, 3, 4});
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertNoSessionLeft();
    }

    @Test
    void aFrameOnAChannelNoSetupNamedClosesTheSessionAndItsOriginLeg() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            assertThat(c.request("DESCRIBE", base(), 1).status()).isEqualTo(200);
            RawRtsp.Response s = c.request("SETUP", base() + "/stream=0", 2,
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            assertThat(s.status()).isEqualTo(200);
            String session = s.header("Session").split(";")[0];
            assertThat(c.request("GET_PARAMETER", base() + "/", 3, "Session: " + session).status())
                    .as("alive before the bad frame").isEqualTo(200);
            byte[] frame = new byte[16];
            frame[0] = '$';
            frame[1] = 9;
            frame[3] = 12;
            c.send(frame);
            assertThat(c.closedWithin(3000)).isTrue();
        }
        assertNoSessionLeft();
    }

    @Test
    void aSilentConnectionIsClosedAtTheSetupDeadlineAndAnIdleRelayAtTheIdleOne() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            long t0 = System.nanoTime();
            assertThat(c.closedWithin(5000)).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(2500L, 5000L);
        }
        try (RawRtsp c = new RawRtsp(port)) {
            // DESCRIBE routes, then nothing more: the relay's idle deadline (1 s after the origin's answer, checked
            // every 0.5 s) comes before the setup one (3 s after connecting)
            long connected = System.nanoTime();
            assertThat(c.request("DESCRIBE", base(), 1).status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedWithin(5000)).isTrue();
            long now = System.nanoTime();
            assertThat((now - t0) / 1_000_000).isBetween(700L, 2000L);
            assertThat((now - connected) / 1_000_000).as("before the setup deadline").isLessThan(3000L);
        }
        assertNoSessionLeft();
    }

    @Test
    void aPlayerThatHalfClosesIsDisconnectedAndItsOriginLegClosed() throws Exception {
        try (RawRtsp c = new RawRtsp(port)) {
            assertThat(c.request("DESCRIBE", base(), 1).status()).isEqualTo(200);
            RawRtsp.Response s = c.request("SETUP", base() + "/stream=0", 2,
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            String session = s.header("Session").split(";")[0];
            assertThat(c.request("PLAY", base() + "/", 3, "Session: " + session).status()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> RtspHarness.rtsp(proxy).streamingSessions() == 1);
            c.halfClose();
            assertThat(c.closedWithin(2000)).as("media stops: the session ended, not only its read side").isTrue();
        }
        assertNoSessionLeft();
    }

    private static void assertNoSessionLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
        assertThat(proxy.routing().sessions().size()).isZero();
    }
}

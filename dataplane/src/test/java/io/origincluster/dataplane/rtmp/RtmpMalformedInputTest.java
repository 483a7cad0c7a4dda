package io.origincluster.dataplane.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.Handshake;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.testpeers.LeakWatch;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad and hostile clients against the real RTMP listener: each gets a clean close (never a hang), the session
 * registry drains to zero after every case, and Netty's PARANOID leak detector reports nothing.
 */
class RtmpMalformedInputTest {

    private static final int TIMEOUT_MS = 1500;
    private static Dataplane proxy;
    private static LeakWatch leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = new LeakWatch();
        proxy = RtmpProxyHarness.start(Map.of("PROXY_RTMP_HANDSHAKE_TIMEOUT", TIMEOUT_MS + "ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertThat(leaks.leaks()).as("Netty leak reports").isEmpty();
        } finally {
            proxy.close();
            leaks.close();
        }
    }

    @AfterEach
    void noSessionLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }

    private static RawRtmpClient client() {
        return RawRtmpClient.open(proxy.port("rtmp"));
    }

    private static RtmpMessage message(int csid, int type, int sid, ByteBuf payload) {
        return new RtmpMessage(csid, type, 0, sid, payload);
    }

    @Test
    void truncatedHandshakeThenHangUp() throws Exception {
        try (RawRtmpClient c = client()) {
            c.sendBytes(new byte[]{3, 1, 2, 3});
        }
    }

    @Test
    void truncatedHandshakeThenSilenceIsClosedAtTheHandshakeTimeout() throws Exception {
        try (RawRtmpClient c = client()) {
            c.sendBytes(new byte[700]);
            long t0 = System.nanoTime();
            assertThat(c.closedWithin(TIMEOUT_MS + 2000)).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThan(TIMEOUT_MS - 300);
        }
    }

    @Test
    void silentClientIsClosedAtTheHandshakeTimeout() {
        try (RawRtmpClient c = client()) {
            long t0 = System.nanoTime();
            assertThat(c.closedWithin(TIMEOUT_MS + 2000)).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(TIMEOUT_MS - 300L, TIMEOUT_MS + 1500L);
        }
    }

    @Test
    void clientThatStopsInTheCommandPhaseIsClosedAtTheSameDeadline() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            c.connect("rtmp://127.0.0.1/live");
            assertThat(c.closedWithin(TIMEOUT_MS + 2000)).isTrue();
        }
    }

    @Test
    void unsupportedVersionIsClosedAtOnce() throws Exception {
        try (RawRtmpClient c = client()) {
            byte[] c0c1 = new byte[1537];
            c0c1[0] = 6;
            c.sendBytes(c0c1);
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Handshake.Scheme.class, names = {"DIGEST_FIRST", "DIGEST_SECOND"})
    void digestHandshakeIsAnsweredInTheClientsScheme(Handshake.Scheme scheme) throws Exception {
        try (RawRtmpClient c = client()) {
            byte[] c1 = Handshake.digestClientC1(scheme);
            byte[][] s = c.handshake(c1);
            assertThat(Handshake.validServerS1(s[0], scheme)).isTrue();
            assertThat(Handshake.validServerS2(s[1], c1, scheme)).isTrue();
            c.connect("rtmp://127.0.0.1/live"); // and the session goes on normally
        }
    }

    @Test
    void garbageChunkHeaderIsClosedAtOnce() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            c.sendBytes(new byte[]{(byte) 0xC5, 1, 2, 3, 4, 5});
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void oversizedChunkSizeIsClosedAtOnce() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            c.send(ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, 0x7FFFFFFF));
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void oversizedMessageIsClosedAtOnce() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            c.sendBytes(new byte[]{3, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 20, 0, 0, 0, 0});
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void badAmf0IsClosedAtOnce() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            ByteBuf p = Unpooled.buffer().writeByte(2).writeShort(0x100).writeBytes("conn".getBytes());
            c.send(message(3, RtmpMessage.COMMAND_AMF0, 0, p));
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void connectWithoutTcUrlIsRejectedWithAnErrorThenClosed() throws Exception {
        try (RawRtmpClient c = client()) {
            c.handshake();
            c.command("connect", 1, 0, Map.of("app", "live"));
            RtmpCommand r = c.awaitCommand(x -> x.transactionId() == 1);
            assertThat(r.name()).isEqualTo("_error");
            assertThat(r.info().get("code")).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void publishWithoutAnyOriginGetsAnErrorStatusThenClose() throws Exception {
        try (RawRtmpClient c = client()) {
            RtmpCommand status = c.start("rtmp://127.0.0.1/live", "nowhere", true);
            assertThat(status.info().get("level")).isEqualTo("error");
            assertThat(status.info().get("code")).isEqualTo("NetStream.Publish.Failed");
            assertThat(c.closedWithin(1000)).isTrue();
        }
    }

    @Test
    void randomBytesAfterTheHandshakeNeverHang() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 20; i++) {
            try (RawRtmpClient c = client()) {
                c.handshake();
                byte[] junk = new byte[1 + r.nextInt(4000)];
                r.nextBytes(junk);
                c.sendBytes(junk);
                c.closedWithin(50);
            }
        }
    }
}

package io.origincluster.dataplane.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.testkit.NginxRtmpOrigin;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relay correctness with exact bytes: a raw publisher and raw players through the proxy and a real nginx-rtmp
 * origin. Chunk size changes at any moment, extended timestamps, acknowledgements per leg, and backpressure
 * from a player that stops reading.
 */
class RtmpRelayTest {

    private static final String TC_URL = "rtmp://127.0.0.1/live";
    private static NginxRtmpOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = NginxRtmpOrigin.start();
        proxy = RtmpProxyHarness.start(Map.of());
        RtmpProxyHarness.register(proxy.store(), "origin-0", origin);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    private static RtmpMessage video(long ts, byte[] payload) {
        return video(ts, payload, 1);
    }

    private static RtmpMessage video(long ts, byte[] payload, int streamId) {
        return new RtmpMessage(6, RtmpMessage.VIDEO, ts, streamId, Unpooled.wrappedBuffer(payload));
    }

    /** Calls createStream {@code n} times and returns the last id the proxy handed out. */
    private static int createStreams(RawRtmpClient c, int n) throws IOException {
        int sid = 0;
        for (int i = 0; i < n; i++) {
            double tid = 10 + i;
            c.command("createStream", tid, 0, null);
            sid = ((Double) c.awaitCommand(x -> x.transactionId() == tid).args().get(0)).intValue();
        }
        assertThat(sid).isEqualTo(n);
        return sid;
    }

    /**
     * A well-formed AVC video tag (one length-prefixed NAL unit, as the origin's HLS muxer parses it) whose body
     * encodes its index, so order and integrity can be checked byte for byte.
     */
    static byte[] frame(int index, int size, boolean key) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) index);
        b[0] = (byte) (key ? 0x17 : 0x27);
        b[1] = 1;
        b[2] = 0;
        b[3] = 0;
        b[4] = 0;
        int nal = size - 9;
        b[5] = (byte) (nal >>> 24);
        b[6] = (byte) (nal >>> 16);
        b[7] = (byte) (nal >>> 8);
        b[8] = (byte) nal;
        b[9] = (byte) (key ? 0x65 : 0x41);
        b[10] = (byte) (index >> 8);
        b[11] = (byte) index;
        return b;
    }

    static final byte[] SEQUENCE_HEADER = {0x17, 0, 0, 0, 0, 1, 0x42, 0, 0x1E, (byte) 0xFF, (byte) 0xE1, 0, 4,
            0x67, 0x42, 0, 0x1E, 1, 0, 4, 0x68, (byte) 0xCE, 0x3C, (byte) 0x80};

    private static boolean isOk(RtmpCommand status, String code) {
        return code.equals(status.info().get("code"));
    }

    @Test
    void chunkSizeChangesExtendedTimestampsAndAcksAreHandledPerLeg() throws Exception {
        try (RawRtmpClient player = RawRtmpClient.open(proxy.port("rtmp"));
             RawRtmpClient pub = RawRtmpClient.open(proxy.port("rtmp"))) {
            // the player plays on its third message stream, the publisher on its second; the origin numbers its
            // own streams, so the relay has to map ids both ways
            player.handshake();
            player.connect(TC_URL);
            int playerSid = createStreams(player, 3);
            player.command("play", 5, playerSid, null, "relay", -2.0);
            assertThat(isOk(player.awaitCommand(c -> c.name().equals("onStatus")
                    && !"NetStream.Play.Reset".equals(c.info().get("code"))), "NetStream.Play.Start")).isTrue();
            pub.handshake();
            pub.send(ControlMessages.windowAckSize(ByteBufAllocator.DEFAULT, 20_000));
            pub.connect(TC_URL);
            int pubSid = createStreams(pub, 2);
            pub.command("publish", 5, pubSid, null, "relay", "live");
            assertThat(isOk(pub.awaitStatus(), "NetStream.Publish.Start")).isTrue();

            pub.send(video(0, SEQUENCE_HEADER, pubSid));
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i == 10) {
                    pub.send(ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, 1000));
                } else if (i == 20) {
                    pub.send(ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, 16000));
                }
                byte[] f = frame(i, 3000 + 997 * i, i == 0); // nginx-rtmp starts a player at a keyframe
                sent.add(f);
                long ts = i < 25 ? 40L * i : 0x1000000L + 40L * i; // the last ones need extended timestamps
                pub.send(video(ts, f, pubSid));
            }
            List<byte[]> received = new ArrayList<>();
            while (received.size() < sent.size()) {
                RtmpMessage m = player.read();
                assertThat(m).as("player stream ended after %d frames", received.size()).isNotNull();
                if (m.type() == RtmpMessage.VIDEO && m.payload().getByte(1) == 1) {
                    assertThat(m.streamId()).as("player's own message stream id").isEqualTo(playerSid);
                    received.add(ByteBufUtil.getBytes(m.payload()));
                }
                m.release();
            }
            for (int i = 0; i < sent.size(); i++) {
                assertThat(received.get(i)).as("frame %d", i).isEqualTo(sent.get(i));
            }
            // the proxy acknowledged the publisher's bytes per the 20 000-byte window the publisher announced
            long acked = 0;
            pub.socket().setSoTimeout(3000);
            while (acked < 200_000) {
                RtmpMessage m = pub.read();
                assertThat(m).as("proxy acks up to %d", acked).isNotNull();
                if (m.type() == RtmpMessage.ACK) {
                    acked = ControlMessages.readUInt32(m);
                }
                m.release();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }

    @Test
    void aPlayerThatStopsReadingNeitherGrowsProxyBuffersNorSlowsThePublisherOrOtherPlayers() throws Exception {
        int frames = 400;
        int size = 50_000;
        try (RawRtmpClient slow = RawRtmpClient.open(proxy.port("rtmp"), 4096);
             RawRtmpClient fast = RawRtmpClient.open(proxy.port("rtmp"));
             RawRtmpClient pub = RawRtmpClient.open(proxy.port("rtmp"))) {
            assertThat(isOk(slow.start(TC_URL, "bp", false), "NetStream.Play.Start")).isTrue();
            assertThat(isOk(fast.start(TC_URL, "bp", false), "NetStream.Play.Start")).isTrue();
            assertThat(isOk(pub.start(TC_URL, "bp", true), "NetStream.Publish.Start")).isTrue();
            AtomicLong fastBytes = new AtomicLong();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    int seen = 0;
                    while (seen < frames) {
                        RtmpMessage m = fast.read();
                        if (m == null) {
                            return;
                        }
                        if (m.type() == RtmpMessage.VIDEO && m.payload().getByte(1) == 1) {
                            seen++;
                            fastBytes.addAndGet(m.payload().readableBytes());
                        }
                        m.release();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            AtomicLong maxPending = new AtomicLong();
            var sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> maxPending.accumulateAndGet(
                    RtmpProxyHarness.rtmp(proxy).maxPendingWriteBytes(), Math::max), 0, 10, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            try {
                pub.send(video(0, SEQUENCE_HEADER));
                for (int i = 0; i < frames; i++) {
                    // keyframes only, so the origin may drop for the slow player without corrupting its stream
                    pub.send(video(40L * i, frame(i, size, true)));
                }
                long sendMillis = (System.nanoTime() - t0) / 1_000_000;
                reader.get(20, TimeUnit.SECONDS);
                assertThat(sendMillis).as("publisher sent %d MB", frames * size >> 20).isLessThan(15_000);
                assertThat(fastBytes.get()).isEqualTo((long) frames * size);
            } finally {
                sampler.shutdownNow();
            }
            assertThat(maxPending.get()).as("largest outbound backlog in the proxy")
                    .isLessThan(3L * 1024 * 1024);
            assertThat(slow.bytesIn()).isLessThan((long) frames * size / 2);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }

    @Test
    void aRelayWithNoTrafficIsClosedAfterTheIdleTimeout() throws Exception {
        try (Dataplane idleProxy = RtmpProxyHarness.start(Map.of("PROXY_RTMP_IDLE_TIMEOUT", "800ms"))) {
            RtmpProxyHarness.register(idleProxy.store(), "origin-0", origin);
            try (RawRtmpClient pub = RawRtmpClient.open(idleProxy.port("rtmp"))) {
                assertThat(isOk(pub.start(TC_URL, "idle", true), "NetStream.Publish.Start")).isTrue();
                long t0 = System.nanoTime();
                assertThat(pub.closedWithin(4000)).isTrue();
                assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(600L, 3000L);
            }
            Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> RtmpProxyHarness.rtmp(idleProxy).activeSessions() == 0);
        }
    }

    @Test
    void aRelayingSessionKeepsItsPinAliveAndThePinLapsesAfterIt() throws Exception {
        try (Dataplane shortPins = RtmpProxyHarness.start(Map.of("PROXY_PIN_TTL", "1s"))) {
            RtmpProxyHarness.register(shortPins.store(), "origin-0", origin);
            String key = io.origincluster.dataplane.routing.StreamKey.fromRtmp(TC_URL, "keep").toString();
            try (RawRtmpClient pub = RawRtmpClient.open(shortPins.port("rtmp"))) {
                assertThat(isOk(pub.start(TC_URL, "keep", true), "NetStream.Publish.Start")).isTrue();
                Awaitility.await().during(Duration.ofMillis(3000)).atMost(Duration.ofSeconds(4))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> RtmpProxyHarness.pinnedBackend(shortPins.store(), key).isPresent());
            }
            Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> RtmpProxyHarness.pinnedBackend(shortPins.store(), key).isEmpty());
        }
    }

    @Test
    void anOriginRefusalReachesTheClientAndDoesNotMoveTheStream() throws Exception {
        String key = io.origincluster.dataplane.routing.StreamKey.fromRtmp(TC_URL, "taken").toString();
        try (RawRtmpClient first = RawRtmpClient.open(proxy.port("rtmp"));
             RawRtmpClient second = RawRtmpClient.open(proxy.port("rtmp"))) {
            assertThat(isOk(first.start(TC_URL, "taken", true), "NetStream.Publish.Start")).isTrue();
            // nginx-rtmp refuses a second publisher of a live stream with an error status
            RtmpCommand refused = second.start(TC_URL, "taken", true);
            assertThat(refused.info().get("level")).isEqualTo("error");
            assertThat(refused.info().get("code")).isEqualTo("NetStream.Publish.BadName");
            assertThat(second.closedWithin(2000)).isTrue();
            // a refusal is an answer, not an origin failure: the pin stays where the stream is
            assertThat(RtmpProxyHarness.pinnedBackend(proxy.store(), key)).contains("origin-0");
            assertThat(RtmpProxyHarness.rtmp(proxy).relayingSessions()).isEqualTo(1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }
}

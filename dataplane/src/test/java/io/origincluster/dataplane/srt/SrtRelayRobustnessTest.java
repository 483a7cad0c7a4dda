package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.testpeers.SrtPeers;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input, floods, retransmissions, silent and dead origins: bounded state, no stalls, clean rejections. */
class SrtRelayRobustnessTest {

    @TempDir
    Path dir;

    private SrtTestProxy proxy;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private SrtTestProxy proxy(String... kv) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        proxy = new SrtTestProxy(env);
        return proxy;
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private void awaitMapsEmpty(int seconds) {
        Awaitility.await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    SrtStats s = proxy.stats();
                    return s.sessions() == 0 && s.callers() == 0 && s.pendingHandshakes() == 0
                            && s.originSockets() == 0;
                });
    }

    private static int rejection(int reason) {
        return SrtReject.toHandshakeType(reason);
    }

    /** A UDP port that receives and records but never answers: an origin that hangs. */
    private static final class SilentOrigin implements AutoCloseable {
        final DatagramSocket socket;
        final List<Integer> senderPorts = new CopyOnWriteArrayList<>();
        final List<Integer> handshakeTypes = new CopyOnWriteArrayList<>();
        final Thread reader;

        SilentOrigin() throws SocketException {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            reader = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (java.io.IOException e) {
                        return;
                    }
                    senderPorts.add(p.getPort());
                    ByteBuf b = Unpooled.wrappedBuffer(buf, 0, p.getLength());
                    handshakeTypes.add(p.getLength() >= 64 && SrtPacket.isHandshake(b)
                            ? b.getInt(SrtHandshake.TYPE_OFFSET) : -1);
                }
            }, "silent-origin");
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void malformedTruncatedAndUnknownDatagramsAreDroppedAndBadRequestsRejected() throws Exception {
        proxy();
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        c.send(new byte[0]);
        c.send(new byte[] {(byte) 0x80, 0, 0});
        c.send(Arrays.copyOf(RawSrtCaller.induction(7), 40)); // truncated handshake
        byte[] waveahand = RawSrtCaller.induction(8);
        Unpooled.wrappedBuffer(waveahand).setInt(SrtHandshake.TYPE_OFFSET, SrtHandshake.TYPE_WAVEAHAND);
        c.send(waveahand); // rendezvous has no place on a listener
        byte[] data = new byte[1332];
        Unpooled.wrappedBuffer(data).setInt(0, 0x1234).setInt(12, 0x0BADF00D);
        c.send(data); // data for a socket id the proxy never issued
        c.send(ByteBufUtil.getBytes(SrtPacket.shutdown(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 0, 99)));
        c.send(RawSrtCaller.conclusion(9, 0x12345678, "#!::r=live/s")); // forged cookie
        int cookie = c.cookie(10);
        byte[] overrun = RawSrtCaller.conclusion(10, cookie, "#!::r=live/s");
        Unpooled.wrappedBuffer(overrun).setShort(66, 0x4000); // HSREQ block claims 64 KiB
        c.send(overrun);
        assertThat(c.receive(300)).as("nothing answers garbage").isNull();

        // Well-formed requests the proxy must refuse, each with the SRT reason the caller will report.
        Map<String, Integer> refused = new java.util.LinkedHashMap<>();
        refused.put("#!::r=live/s,m=bidirectional", rejection(SrtReject.BAD_MODE));
        refused.put("#!::xr=live/s", rejection(SrtReject.BAD_REQUEST));
        refused.put("nostream", rejection(SrtReject.BAD_REQUEST));
        refused.put("#!::r=live/s,m=publish", rejection(SrtReject.UNAVAILABLE)); // no origin registered at all
        int socketId = 100;
        for (Map.Entry<String, Integer> e : refused.entrySet()) {
            int id = socketId++;
            c.send(RawSrtCaller.conclusion(id, c.cookie(id), e.getKey()));
            SrtHandshake answer = c.receive(2000);
            assertThat(answer).as(e.getKey()).isNotNull();
            assertThat(answer.type()).as(e.getKey()).isEqualTo(e.getValue());
        }
        int id = socketId++;
        c.send(RawSrtCaller.conclusion(id, c.cookie(id), null));
        assertThat(c.receive(2000).type()).as("no stream id").isEqualTo(rejection(SrtReject.BAD_REQUEST));
        byte[] v4 = RawSrtCaller.conclusion(id + 1, c.cookie(id + 1), "#!::r=live/s");
        Unpooled.wrappedBuffer(v4).setInt(SrtHandshake.VERSION_OFFSET, 4);
        c.send(v4);
        assertThat(c.receive(2000).type()).as("HSv4").isEqualTo(rejection(SrtReject.VERSION));

        SrtStats s = proxy.stats();
        assertThat(s.malformed()).isGreaterThanOrEqualTo(5);
        assertThat(s.unknownSocket()).isGreaterThanOrEqualTo(2);
        assertThat(s.badCookie()).isEqualTo(1);
        assertThat(s.rejected()).isEqualTo(6);
        awaitMapsEmpty(2);
    }

    @Test
    void inductionFloodFromThousandsOfSocketsKeepsNoState() throws Exception {
        proxy();
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        int answered = 0;
        int total = 5000;
        for (int batch = 0; batch < total / 250; batch++) {
            for (int i = 0; i < 250; i++) {
                c.send(RawSrtCaller.induction(1_000_000 + batch * 250 + i));
            }
            while (answered < (batch + 1) * 250) {
                SrtHandshake a = c.receive(200);
                if (a == null) {
                    break; // a datagram lost on loopback under the burst; the total check below allows for it
                }
                assertThat(a.isInduction()).isTrue();
                assertThat(a.cookie()).isNotZero();
                assertThat(a.extensionField()).isEqualTo(SrtHandshake.SRT_MAGIC);
                answered++;
            }
        }
        assertThat(answered).as("inductions answered").isGreaterThan(total * 9 / 10);
        SrtStats s = proxy.stats();
        assertThat(s.inductions()).isGreaterThanOrEqualTo(answered);
        assertThat(s.sessions()).isZero();
        assertThat(s.callers()).isZero();
    }

    @Test
    void pendingHandshakesAreCappedAndExpireWithTheirMaps() throws Exception {
        proxy("PROXY_SRT_MAX_PENDING_HANDSHAKES", "20", "PROXY_SRT_HANDSHAKE_TIMEOUT", "500ms",
                "PROXY_CONNECT_RETRIES", "0");
        SilentOrigin silent = track(new SilentOrigin());
        proxy.registerOrigin("silent", silent.port(), 0);
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        int callers = 100;
        Map<Integer, Integer> cookies = new HashMap<>();
        for (int i = 0; i < callers; i++) {
            cookies.put(i, c.cookie(5000 + i));
        }
        for (int i = 0; i < callers; i++) {
            c.send(RawSrtCaller.conclusion(5000 + i, cookies.get(i), "#!::r=live/f" + i + ",m=publish"));
        }
        SrtStats during = proxy.stats();
        assertThat(during.pendingHandshakes()).isLessThanOrEqualTo(20);
        assertThat(during.sessions()).isLessThanOrEqualTo(20);
        assertThat(during.originSockets()).isLessThanOrEqualTo(20);
        Map<Integer, Integer> reasons = new HashMap<>();
        for (int i = 0; i < callers; i++) {
            SrtHandshake a = c.receive(3000);
            assertThat(a).as("answer %d", i).isNotNull();
            reasons.merge(SrtReject.reasonOf(a.type()), 1, Integer::sum);
        }
        assertThat(reasons).containsEntry(SrtReject.OVERLOAD, callers - 20)
                .containsEntry(SrtReject.UNAVAILABLE, 20);
        awaitMapsEmpty(2);
        assertThat(proxy.dataplane.store().pins().toCompletableFuture().join())
                .as("a timed-out origin is unpinned").isEmpty();
    }

    @Test
    void retransmittedConclusionsNeverStartASecondOriginHandshake() throws Exception {
        proxy("PROXY_SRT_HANDSHAKE_TIMEOUT", "1s", "PROXY_CONNECT_RETRIES", "0");
        SilentOrigin silent = track(new SilentOrigin());
        proxy.registerOrigin("silent", silent.port(), 0);
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        int cookie = c.cookie(77);
        byte[] conclusion = RawSrtCaller.conclusion(77, cookie, "#!::r=live/rt,m=publish");
        for (int i = 0; i < 4; i++) {
            c.send(conclusion);
            Thread.sleep(100);
        }
        assertThat(proxy.stats().sessions()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> silent.senderPorts.size() >= 4);
        assertThat(Set.copyOf(silent.senderPorts)).as("one origin channel, one handshake").hasSize(1);
        assertThat(silent.handshakeTypes).allMatch(t -> t == SrtHandshake.TYPE_INDUCTION);
        SrtHandshake answer = c.receive(3000);
        assertThat(answer.type()).isEqualTo(rejection(SrtReject.UNAVAILABLE));
        awaitMapsEmpty(2);
        assertThat(c.receive(300)).as("exactly one answer").isNull();
    }

    @Test
    void establishedSessionAnswersRetransmissionsFromCacheAndClosesWhenIdle() throws Exception {
        Tools.require("srt-live-transmit");
        proxy("PROXY_SRT_IDLE_TIMEOUT", "2s");
        int originPort = Ports.freeUdp();
        Proc origin = track(SrtPeers.listenerToFile(originPort, "", dir.resolve("idle.ts")));
        proxy.registerOrigin("origin", originPort, 0);
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        byte[] conclusion = RawSrtCaller.conclusion(88, c.cookie(88), "#!::r=live/idle,m=publish");
        c.send(conclusion);
        SrtHandshake first = c.receive(3000);
        assertThat(first.isConclusion()).as("origin accepted through the proxy").isTrue();
        assertThat(first.socketId()).as("the proxy's own socket id").isNotZero();
        c.send(conclusion);
        SrtHandshake again = c.receive(3000);
        assertThat(again).isEqualTo(first);
        assertThat(proxy.stats().sessions()).isEqualTo(1);
        // The caller now falls silent: after the idle timeout the proxy closes the session and tells the origin.
        awaitMapsEmpty(6);
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> !origin.isAlive());
    }

    @Test
    void silentOriginDoesNotStallAnotherSessionsHandshake() throws Exception {
        Tools.require("srt-live-transmit");
        proxy("PROXY_SRT_HANDSHAKE_TIMEOUT", "3s", "PROXY_CONNECT_RETRIES", "0");
        SilentOrigin silent = track(new SilentOrigin());
        proxy.registerOrigin("silent", silent.port(), 0);
        RawSrtCaller stuck = track(new RawSrtCaller(proxy.port()));
        stuck.send(RawSrtCaller.conclusion(66, stuck.cookie(66), "#!::r=live/hang,m=publish"));
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> proxy.stats().pendingHandshakes() == 1);

        int livePort = Ports.freeUdp();
        Path received = dir.resolve("fast.ts");
        track(SrtPeers.listenerToFile(livePort, "", received));
        proxy.registerOrigin("live", livePort, 0); // least-pinned: the silent origin already holds a stream
        Path payload = SrtPeers.payload(dir, 50);
        long started = System.nanoTime();
        track(SrtPeers.callerFromFile(proxy.url("#!::r=live/fast,m=publish", ""), payload));
        Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> SrtPeers.size(received) >= Files.size(payload));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(proxy.stats().pendingHandshakes()).as("the silent origin's handshake is still in flight")
                .isEqualTo(1);
        assertThat(took).as("includes the caller's built-in 1 s input delay").isLessThan(Duration.ofMillis(2500));
        assertThat(Files.readAllBytes(received)).isEqualTo(Files.readAllBytes(payload));
        assertThat(stuck.receive(4000).type()).isEqualTo(rejection(SrtReject.UNAVAILABLE));
        assertThat(proxy.stats().sessions()).isEqualTo(1);
    }

    @Test
    void deadPinnedOriginIsUnpinnedAndTheSessionFailsOverToAnother() throws Exception {
        Tools.require("srt-live-transmit");
        proxy();
        int deadPort = Ports.freeUdp(); // nothing listens: the kernel answers ICMP port unreachable
        proxy.registerOrigin("dead", deadPort, 0);
        String key = SrtStreamId.parse("live/fo").key().toString();
        assertThat(proxy.dataplane.store().pin(key, Set.of(), Duration.ofMinutes(1)).toCompletableFuture().join()
                .id()).isEqualTo("dead");
        int livePort = Ports.freeUdp();
        Path received = dir.resolve("failover.ts");
        track(SrtPeers.listenerToFile(livePort, "", received));
        proxy.registerOrigin("live", livePort, 0);
        Path payload = SrtPeers.payload(dir, 50);
        track(SrtPeers.callerFromFile(proxy.url("#!::r=live/fo,m=publish", ""), payload));
        Awaitility.await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(50))
                .until(() -> SrtPeers.size(received) >= Files.size(payload));
        assertThat(Files.readAllBytes(received)).isEqualTo(Files.readAllBytes(payload));
        assertThat(proxy.pinOf(key)).isEqualTo("live");
    }

    @Test
    void wrongPassphraseIsRejectedByTheOriginAndLeavesNoState() throws Exception {
        Tools.require("srt-live-transmit");
        proxy();
        int originPort = Ports.freeUdp();
        track(SrtPeers.listenerToFile(originPort, "&passphrase=the-origin-secret&pbkeylen=16",
                dir.resolve("never.ts")));
        proxy.registerOrigin("origin", originPort, 0);
        Proc caller = track(SrtPeers.callerFromFile(
                proxy.url("#!::r=live/sec,m=publish", "&passphrase=not-the-secret&pbkeylen=16"),
                SrtPeers.payload(dir, 5)));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !caller.isAlive());
        assertThat(caller.output()).doesNotContain("connected");
        awaitMapsEmpty(2);
        assertThat(proxy.pinOf(SrtStreamId.parse("live/sec").key().toString()))
                .as("an origin's own rejection is an answer, not a failure: the pin stays").isEqualTo("origin");
    }
}

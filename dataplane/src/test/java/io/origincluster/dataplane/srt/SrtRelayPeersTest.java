package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.testpeers.SrtPeers;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real libsrt callers and origins (srt-live-transmit, ffmpeg) talking through the proxy. */
class SrtRelayPeersTest {

    @TempDir
    Path dir;

    private SrtTestProxy proxy;
    private final List<Proc> procs = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Tools.require("srt-live-transmit", "ffmpeg", "ffprobe");
        proxy = new SrtTestProxy(Map.of("PROXY_SRT_IDLE_TIMEOUT", "5s"));
    }

    @AfterEach
    void stop() {
        procs.forEach(Proc::close);
        proxy.close();
    }

    private Proc track(Proc p) {
        procs.add(p);
        return p;
    }

    private void awaitMapsEmpty() {
        Awaitility.await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    SrtStats s = proxy.stats();
                    return s.sessions() == 0 && s.callers() == 0 && s.pendingHandshakes() == 0
                            && s.originSockets() == 0;
                });
    }

    @ParameterizedTest(name = "passphrase={0}")
    @ValueSource(booleans = {false, true})
    void publishedBytesArriveAtTheOriginExactly(boolean encrypted) throws Exception {
        String secret = encrypted ? "&passphrase=origin-cluster-secret&pbkeylen=16" : "";
        Path payload = SrtPeers.payload(dir, 200);
        Path received = dir.resolve("received.ts");
        int originPort = Ports.freeUdp();
        Proc origin = track(SrtPeers.listenerToFile(originPort, secret, received));
        proxy.registerOrigin("origin-a", originPort, 0);
        Proc caller = track(SrtPeers.callerFromFile(proxy.url("#!::r=live/s1,m=publish", secret), payload));
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> SrtPeers.size(received) >= Files.size(payload) || !origin.isAlive());
        assertThat(Files.readAllBytes(received)).as("origin: %s caller: %s", origin.output(), caller.output())
                .isEqualTo(Files.readAllBytes(payload));
        assertThat(proxy.stats().sessions()).isEqualTo(1);
        assertThat(proxy.pinOf("__defaultVhost__/live/s1")).isEqualTo("origin-a");
        caller.close(); // SIGTERM: libsrt sends SHUTDOWN, the proxy relays it and forgets the session
        awaitMapsEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !origin.isAlive());
        assertThat(origin.output()).doesNotContain("rror");
    }

    @Test
    void ffmpegPublishesAndTheOriginDecodesEveryFrame() throws Exception {
        Path received = dir.resolve("from-ffmpeg.ts");
        int originPort = Ports.freeUdp();
        Proc origin = track(SrtPeers.listenerToFile(originPort, "", received));
        proxy.registerOrigin("origin-a", originPort, 0);
        // Paced (4x real time): ffmpeg closes with linger 0, so whatever is still in flight at the end is lost.
        Proc ffmpeg = track(Proc.start("ffmpeg-srt-publish", List.of("ffmpeg", "-v", "error", "-readrate", "4", "-i",
                io.origincluster.dataplane.testpeers.TestMedia.ts().toString(), "-c", "copy", "-f", "mpegts",
                proxy.url("#!::r=live/s1,m=publish", ""))));
        assertThat(ffmpeg.waitFor(20)).as("ffmpeg: %s", ffmpeg.output()).isZero();
        assertThat(SrtPeers.size(received)).isGreaterThan(300_000);
        // ffmpeg's close sends SHUTDOWN; the proxy relays it, so the origin sees its caller leave and exits.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !origin.isAlive());
        awaitMapsEmpty();
        int frames = countFrames(received);
        assertThat(frames).as("video frames decoded from what reached the origin (source has 250)")
                .isBetween(225, 250);
    }

    @ParameterizedTest(name = "passphrase={0}")
    @ValueSource(booleans = {false, true})
    void playerRequestsAStreamFromASendingOrigin(boolean encrypted) {
        String secret = encrypted ? "&passphrase=origin-cluster-secret&pbkeylen=16" : "";
        int originPort = Ports.freeUdp();
        track(SrtPeers.ffmpegSendingListener(originPort, secret));
        proxy.registerOrigin("origin-a", originPort, 0);
        int frames = countLiveFrames(proxy.url("#!::r=live/s1,m=request", secret));
        assertThat(frames).as("frames decoded by a player through the proxy").isGreaterThan(25);
        awaitMapsEmpty();
    }

    @Test
    void twentyConcurrentSessionsEachArriveIntact() throws Exception {
        int n = 20;
        Path payload = SrtPeers.payload(dir, 60);
        List<Path> outs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int port = Ports.freeUdp();
            Path out = dir.resolve("recv-" + i + ".ts");
            outs.add(out);
            track(SrtPeers.listenerToFile(port, "", out));
            proxy.registerOrigin("origin-" + i, port, 1); // one stream per origin: every session its own origin
        }
        List<Proc> callers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            callers.add(track(SrtPeers.callerFromFile(proxy.url("#!::r=live/c" + i + ",m=publish", ""), payload)));
        }
        byte[] expected = Files.readAllBytes(payload);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> outs.stream().allMatch(o -> SrtPeers.size(o) >= expected.length));
        assertThat(proxy.stats().sessions()).isEqualTo(n);
        assertThat(proxy.stats().originSockets()).isEqualTo(n);
        for (Path o : outs) {
            assertThat(Files.readAllBytes(o)).as(o.toString()).isEqualTo(expected);
        }
        callers.forEach(Proc::close);
        awaitMapsEmpty();
        assertThat(proxy.dataplane.store().pins().toCompletableFuture().join()).hasSize(n);
    }

    @Test
    void originKilledMidStreamEndsTheCallersSession() throws Exception {
        Path received = dir.resolve("killed.ts");
        int originPort = Ports.freeUdp();
        Proc origin = track(SrtPeers.listenerToFile(originPort, "", received));
        proxy.registerOrigin("origin-a", originPort, 0);
        Proc ffmpeg = track(Proc.start("ffmpeg-srt-live", List.of("ffmpeg", "-v", "error", "-re", "-stream_loop",
                "-1", "-i", io.origincluster.dataplane.testpeers.TestMedia.ts().toString(), "-c", "copy", "-f",
                "mpegts", proxy.url("#!::r=live/k,m=publish", ""))));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> SrtPeers.size(received) > 20_000);
        assertThat(proxy.stats().sessions()).isEqualTo(1);
        long killedAt = System.nanoTime();
        origin.kill();
        // The next relayed packet meets ICMP port-unreachable; the proxy sends SHUTDOWN to the caller at once
        // (the 5 s idle timeout is only the fallback), and libsrt's caller reports the broken connection.
        awaitMapsEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(8)).until(() -> !ffmpeg.isAlive());
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(ffmpeg.process().exitValue()).as("ffmpeg: %s", ffmpeg.output()).isNotZero();
    }

    /** Plays about two seconds of a live SRT stream (short probing: the origin sends in real time). */
    private static int countLiveFrames(String url) {
        try (Proc p = Proc.start("ffprobe-srt-play", List.of("ffprobe", "-v", "error", "-analyzeduration", "1000000",
                "-probesize", "300000", "-count_frames", "-read_intervals", "%+2", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url))) {
            assertThat(p.waitFor(20)).as("ffprobe: %s", p.output()).isZero();
            return Integer.parseInt(p.output().trim().lines().reduce((a, b) -> b).orElse("0").trim());
        }
    }

    private static int countFrames(Path ts) {
        try (Proc p = Proc.start("ffprobe-count", List.of("ffprobe", "-v", "error", "-count_frames",
                "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
                ts.toString()))) {
            assertThat(p.waitFor(20)).as("ffprobe: %s", p.output()).isZero();
            return Integer.parseInt(p.output().trim().lines().reduce((a, b) -> b).orElse("0").trim());
        }
    }
}

package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.StreamTokens;
import io.origincluster.dataplane.testpeers.SrtPeers;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PROXY_AUTH=token} over SRT: the token rides in the stream id's {@code r=} query. */
class SrtAuthTest {

    private static final String SECRET = "srt-auth-test-secret-0123";
    private static final StreamTokens TOKENS = new StreamTokens(SECRET);

    @TempDir
    Path dir;

    private SrtTestProxy proxy;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Tools.require("srt-live-transmit");
        proxy = new SrtTestProxy(Map.of("PROXY_AUTH", "token", "PROXY_AUTH_SECRET", SECRET));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        proxy.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private static String token(Action a, String stream) {
        return TOKENS.mint(a, stream, Duration.ofMinutes(10), Instant.now());
    }

    @Test
    void eachRefusalCarriesItsSrtReason() throws Exception {
        int originPort = Ports.freeUdp();
        proxy.registerOrigin("origin-a", originPort, 0);
        RawSrtCaller c = track(new RawSrtCaller(proxy.port()));
        Map<String, Integer> refused = new java.util.LinkedHashMap<>();
        refused.put("#!::r=live/s1,m=publish", SrtReject.UNAUTHORIZED);
        refused.put("#!::r=live/s1?token=forged,m=publish", SrtReject.FORBIDDEN);
        refused.put("#!::r=live/s1?token=" + token(Action.PLAY, "live/s1") + ",m=publish", SrtReject.FORBIDDEN);
        refused.put("#!::r=live/s1?token=" + token(Action.PUBLISH, "live/s1"), SrtReject.FORBIDDEN); // a player
        refused.put("live/s1?token=" + token(Action.PLAY, "live/other"), SrtReject.FORBIDDEN);
        int id = 200;
        for (Map.Entry<String, Integer> e : refused.entrySet()) {
            int socketId = id++;
            c.send(RawSrtCaller.conclusion(socketId, c.cookie(socketId), e.getKey()));
            SrtHandshake answer = c.receive(3000);
            assertThat(answer).as(e.getKey()).isNotNull();
            assertThat(answer.type()).as(e.getKey()).isEqualTo(SrtReject.toHandshakeType(e.getValue()));
        }
        assertThat(SrtReject.toHandshakeType(SrtReject.UNAUTHORIZED)).as("on the wire").isEqualTo(2401);
        assertThat(proxy.pinOf("__defaultVhost__/live/s1")).as("refused before routing").isNull();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> proxy.stats().sessions() == 0
                && proxy.stats().callers() == 0 && proxy.stats().pendingHandshakes() == 0);
    }

    @Test
    void realCallersPublishWithATokenAndAreRefusedWithout() throws Exception {
        Path payload = SrtPeers.payload(dir, 200);
        Path received = dir.resolve("received.ts");
        int originPort = Ports.freeUdp();
        Proc origin = track(SrtPeers.listenerToFile(originPort, "", received));
        proxy.registerOrigin("origin-a", originPort, 0);

        // ffmpeg's libsrt caller reports the rejection and exits (srt-live-transmit exits 0 either way)
        Proc refused = track(Proc.start("ffmpeg-srt-no-token", List.of("ffmpeg", "-v", "error", "-re", "-i",
                io.origincluster.dataplane.testpeers.TestMedia.ts().toString(), "-c", "copy", "-f", "mpegts",
                proxy.url("#!::r=live/s2,m=publish", ""))));
        assertThat(refused.waitFor(20)).as("a caller without a token ends on its own: %s", refused.output())
                .isNotIn(0, -1);
        assertThat(refused.output().toLowerCase(java.util.Locale.ROOT)).contains("reject");
        assertThat(SrtPeers.size(received)).isZero();

        String streamId = "#!::r=live/s2?token=" + token(Action.PUBLISH, "live/s2") + ",m=publish";
        Proc caller = track(SrtPeers.callerFromFile(proxy.url(streamId, ""), payload));
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> SrtPeers.size(received) >= Files.size(payload) || !origin.isAlive());
        assertThat(Files.readAllBytes(received)).as("origin: %s caller: %s", origin.output(), caller.output())
                .isEqualTo(Files.readAllBytes(payload));
    }

    @Test
    void aSecondPublisherOfALiveStreamIsRefusedWith1409() throws Exception {
        Path payload = SrtPeers.payload(dir, 2000);
        Path received = dir.resolve("live.ts");
        int originPort = Ports.freeUdp();
        track(SrtPeers.listenerToFile(originPort, "", received));
        proxy.registerOrigin("origin-a", originPort, 0);
        String streamId = "#!::r=live/s3?token=" + token(Action.PUBLISH, "live/s3") + ",m=publish";
        track(SrtPeers.callerFromFile(proxy.url(streamId, ""), payload));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> SrtPeers.size(received) > 0);
        RawSrtCaller second = track(new RawSrtCaller(proxy.port()));
        second.send(RawSrtCaller.conclusion(300, second.cookie(300), streamId));
        SrtHandshake answer = second.receive(3000);
        assertThat(answer).isNotNull();
        assertThat(answer.type()).isEqualTo(SrtReject.toHandshakeType(SrtReject.CONFLICT));
        assertThat(proxy.stats().sessions()).isEqualTo(1);
    }
}

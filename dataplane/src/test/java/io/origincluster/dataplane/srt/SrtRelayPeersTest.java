package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.Ports;
import io.origincluster.dataplane.testpeers.Proc;
import io.origincluster.dataplane.testpeers.SrtPeers;
import io.origincluster.dataplane.testpeers.Tools;
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
                .until(() -> proxy.stats().sessions() == 0 && proxy.stats().callers() == 0
                        && proxy.stats().pendingHandshakes() == 0);
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
        assertThat(proxy.pinOf("__defaultvhost__/live/s1")).isEqualTo("origin-a");
        caller.close(); // SIGTERM: libsrt sends SHUTDOWN, the proxy relays it and forgets the session
        awaitMapsEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !origin.isAlive());
        assertThat(origin.output()).doesNotContain("rror");
    }
}

package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.netty.IoTransport;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.dataplane.testpeers.SrtPeers;
import io.origincluster.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SRT on io_uring (PROXY_IO_TRANSPORT=io_uring): the shared UDP listener and the connected per-session origin
 * sockets are io_uring datagram channels; libsrt peers on both ends, encrypted, and every byte arrives in order.
 */
class SrtIoUringRelayTest {

    @TempDir
    Path dir;

    @Test
    void publishedBytesArriveAtTheOriginExactlyThroughAProxyOnIoUring() throws Exception {
        Tools.require("srt-live-transmit");
        String secret = "&passphrase=origin-cluster-secret&pbkeylen=16";
        Path payload = SrtPeers.payload(dir, 400);
        Path received = dir.resolve("received.ts");
        int originPort = Ports.freeUdp();
        try (SrtTestProxy proxy = new SrtTestProxy(Map.of("PROXY_IO_TRANSPORT", "io_uring"));
             Proc origin = SrtPeers.listenerToFile(originPort, secret, received)) {
            assertThat(proxy.dataplane.transports().transport()).isEqualTo(IoTransport.IO_URING);
            proxy.registerOrigin("origin-a", originPort, 0);
            try (Proc caller = SrtPeers.callerFromFile(proxy.url("#!::r=live/uring,m=publish", secret), payload)) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> SrtPeers.size(received) >= Files.size(payload) || !origin.isAlive());
                assertThat(Files.readAllBytes(received)).as("origin: %s caller: %s", origin.output(),
                        caller.output()).isEqualTo(Files.readAllBytes(payload));
                assertThat(proxy.stats().sessions()).isEqualTo(1);
            }
            // the caller's SHUTDOWN is relayed and the session forgotten, as on epoll
            Awaitility.await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
                    .until(() -> proxy.stats().sessions() == 0 && proxy.stats().originSockets() == 0);
        }
    }
}

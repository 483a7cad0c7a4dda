package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.netty.IoTransport;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The RTMP relay on io_uring (PROXY_IO_TRANSPORT=io_uring): ffmpeg publishes through the proxy to a real
 * nginx-rtmp, ffprobe plays it back through the proxy. A kernel or sandbox without io_uring fails this test at
 * start-up with the reason, it does not quietly run on epoll.
 */
class RtmpIoUringRelayTest {

    @Test
    void publishAndPlayThroughAProxyOnIoUring() throws Exception {
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Dataplane proxy = RtmpProxyHarness.start(Map.of("PROXY_IO_TRANSPORT", "io_uring"))) {
            assertThat(proxy.transports().transport()).isEqualTo(IoTransport.IO_URING);
            register(proxy.store(), "origin-0", origin);
            try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "uring"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> Files.exists(origin.hlsDir().resolve("uring.m3u8")));
                int frames = Ffmpeg.countVideoFrames(url(proxy, "uring"), 2, 20);
                assertThat(frames).as("frames played through the proxy; publisher: %s", pub.output())
                        .isGreaterThan(25);
                assertThat(RtmpProxyHarness.rtmp(proxy).relayingSessions()).isGreaterThanOrEqualTo(1);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
        }
    }
}

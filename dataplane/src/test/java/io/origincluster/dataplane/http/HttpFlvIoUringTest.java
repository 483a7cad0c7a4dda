package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.netty.IoTransport;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.TestMedia;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HTTP-FLV and HTTP-TS on io_uring (PROXY_IO_TRANSPORT=io_uring): ffprobe decodes frames relayed through the proxy
 * from a real HTTP media origin, and the origin sees the player's request as sent.
 */
class HttpFlvIoUringTest {

    @Test
    void ffprobeDecodesLiveFlvAndTsThroughAProxyOnIoUring() throws Exception {
        MediaHttpOrigin origin = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), false);
        try (Dataplane proxy = ProxyFixture.start(Map.of("PROXY_IO_TRANSPORT", "io_uring"))) {
            assertThat(proxy.transports().transport()).isEqualTo(IoTransport.IO_URING);
            ProxyFixture.registerHttpOrigin(proxy.store(), "media-origin-1", origin.port());
            String base = "http://127.0.0.1:" + ProxyFixture.httpPort(proxy);
            assertThat(Ffmpeg.countVideoFrames(base + "/live/uring.flv?token=abc", 2, 20))
                    .as("FLV video frames decoded through the proxy").isGreaterThan(10);
            assertThat(Ffmpeg.countVideoFrames(base + "/live/uring.ts", 2, 20))
                    .as("TS video frames decoded through the proxy").isGreaterThan(10);
            assertThat(origin.requests.stream().map(MediaHttpOrigin.SeenRequest::uri))
                    .contains("/live/uring.flv?token=abc", "/live/uring.ts");
        } finally {
            origin.close();
        }
    }
}

package io.origincluster.dataplane.testpeers;

import static org.assertj.core.api.Assertions.assertThat;

import org.awaitility.Awaitility;
import java.time.Duration;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The peers themselves work, so a failing proxy test points at the proxy, not at the harness. */
class NginxRtmpOriginTest {

    @Test
    void directPublishIsPlayableOverRtmpAndHls() {
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Proc pub = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/direct")) {
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(origin.hlsDir().resolve("direct.m3u8")));
            int frames = Ffmpeg.countVideoFrames("rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/direct", 1, 15);
            assertThat(frames).as("frames decoded; publisher: %s", pub.output()).isGreaterThan(10);
        }
    }
}

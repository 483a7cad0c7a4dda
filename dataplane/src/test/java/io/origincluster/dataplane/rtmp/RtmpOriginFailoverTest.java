package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * With the hold off ({@code PROXY_PLAYER_HOLD=0}) sessions end with their origin, as before hitless moves: the
 * origin holding a stream dies, the publisher's reconnect lands on a live origin and players follow.
 */
class RtmpOriginFailoverTest {

    private static final String TC_URL = "rtmp://127.0.0.1/live";

    @Test
    void publisherReconnectLandsOnALiveOriginWithinTwoSecondsAndPlayersFindItThere() throws Exception {
        List<NginxRtmpOrigin> origins = List.of(NginxRtmpOrigin.start(), NginxRtmpOrigin.start());
        try (Dataplane proxy = RtmpProxyHarness.start(Map.of("PROXY_PLAYER_HOLD", "0s"))) {
            register(proxy.store(), "origin-0", origins.get(0));
            register(proxy.store(), "origin-1", origins.get(1));
            String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "fo").toString();
            RtmpServer rtmp = RtmpProxyHarness.rtmp(proxy);
            int victimIndex;
            try (Proc first = Ffmpeg.publishRtmp(url(proxy, "fo"))) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rtmp.relayingSessions() == 1);
                String victimId = pinnedBackend(proxy.store(), key).orElseThrow();
                victimIndex = Integer.parseInt(victimId.substring("origin-".length()));
                NginxRtmpOrigin victim = origins.get(victimIndex);
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> Files.exists(victim.hlsDir().resolve("fo.m3u8")));
                victim.kill();
                // the proxy ends the publisher's session when its origin leg dies, so ffmpeg notices at once
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !first.isAlive());
                assertThat(pinnedBackend(proxy.store(), key)).as("pin still names the dead origin").contains(victimId);
            }
            NginxRtmpOrigin survivor = origins.get(1 - victimIndex);
            // The reconnect is timed with an in-process publisher so that the 2 s budget is the proxy's (dead
            // origin refused, survivor picked and connected), not the time a loaded machine takes to start ffmpeg.
            long t0 = System.nanoTime();
            try (RawRtmpClient again = RawRtmpClient.open(proxy.port("rtmp"))) {
                String code = String.valueOf(again.start(TC_URL, "fo", true).info().get("code"));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(code).as("reconnecting publisher's status").isEqualTo("NetStream.Publish.Start");
                assertThat(millis).as("reconnect to publishing, ms").isLessThan(2000);
                assertThat(pinnedBackend(proxy.store(), key)).contains("origin-" + (1 - victimIndex));
            }
            try (Proc media = Ffmpeg.publishRtmp(url(proxy, "fo"))) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rtmp.relayingSessions() == 1);
                assertThat(pinnedBackend(proxy.store(), key)).contains("origin-" + (1 - victimIndex));
                int frames = Ffmpeg.countVideoFrames(url(proxy, "fo"), 1, 20);
                assertThat(frames).as("frames via proxy after failover; publisher: %s", media.output())
                        .isGreaterThan(10);
                Awaitility.await("the survivor writes the stream").atMost(Duration.ofSeconds(10))
                        .until(() -> Files.exists(survivor.hlsDir().resolve("fo.m3u8")));
            }
        } finally {
            origins.forEach(NginxRtmpOrigin::close);
        }
    }
}

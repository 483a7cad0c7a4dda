package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Two data planes, each with its own RedisStateStore on one real redis-server: publish via A, play via B. */
class RtmpMultiProxyTest {

    @Test
    void streamPublishedThroughOneProxyPlaysThroughAnother() throws Exception {
        List<NginxRtmpOrigin> origins = List.of(NginxRtmpOrigin.start(), NginxRtmpOrigin.start());
        try (RedisServer redis = RedisServer.start();
             Dataplane a = RtmpProxyHarness.start(Map.of(),
                     RedisStateStore.connect(redis.uri(), "rtmp-test", PlacementPolicy.named("least-pinned")));
             Dataplane b = RtmpProxyHarness.start(Map.of(),
                     RedisStateStore.connect(redis.uri(), "rtmp-test", PlacementPolicy.named("least-pinned")))) {
            register(a.store(), "origin-0", origins.get(0));
            register(a.store(), "origin-1", origins.get(1));
            String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "shared").toString();
            try (Proc pub = Ffmpeg.publishRtmp(url(a, "shared"))) {
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> RtmpProxyHarness.rtmp(a).relayingSessions() == 1);
                String pinnedViaA = pinnedBackend(a.store(), key).orElseThrow();
                assertThat(pinnedBackend(b.store(), key)).as("B sees A's pin through Redis").contains(pinnedViaA);
                int frames = Ffmpeg.countVideoFrames(url(b, "shared"), 1, 20);
                assertThat(frames).as("frames via proxy B; publisher: %s", pub.output()).isGreaterThan(10);
                assertThat(RtmpProxyHarness.rtmp(a).activeSessions()).isEqualTo(1);
            }
        } finally {
            origins.forEach(NginxRtmpOrigin::close);
        }
    }
}

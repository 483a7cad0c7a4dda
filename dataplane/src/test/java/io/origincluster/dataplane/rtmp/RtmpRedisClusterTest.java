package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.testing.RedisClusterTestServer;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two data planes configured only by {@code PROXY_REDIS_CLUSTER_NODES} (each seeded with a different node) on a
 * real Redis Cluster of three masters with a replica each: a stream published through one plays through the
 * other; then the master holding the cluster's slot is SIGKILLed, and while its replica takes over the running
 * publisher keeps going and a new stream published through the second proxy plays through the first.
 */
class RtmpRedisClusterTest {

    private static final String CLUSTER = "rtmp-cluster";

    private static Dataplane proxy(String seed) throws Exception {
        return RtmpProxyHarness.start(Map.of("PROXY_LOAD_BALANCER_TYPE", "redis",
                "PROXY_REDIS_CLUSTER_NODES", seed.substring("redis://".length()), "PROXY_CLUSTER_ID", CLUSTER));
    }

    private static String key(String stream) {
        return StreamKey.fromRtmp("rtmp://127.0.0.1/live", stream).toString();
    }

    @Test
    void twoProxiesRouteOneStreamAndKeepRoutingWhenAMasterFails() throws Exception {
        List<NginxRtmpOrigin> origins = List.of(NginxRtmpOrigin.start(), NginxRtmpOrigin.start());
        try (RedisClusterTestServer redis = RedisClusterTestServer.start(3, 1)) {
            int master = redis.masterOf("oc:{" + CLUSTER + "}:backends");
            List<String> seeds = redis.ports().stream().filter(p -> p != master)
                    .map(p -> "redis://127.0.0.1:" + p).toList();
            try (Dataplane a = proxy(seeds.get(0)); Dataplane b = proxy(seeds.get(seeds.size() - 1))) {
                register(a.store(), "origin-0", origins.get(0));
                register(a.store(), "origin-1", origins.get(1));
                try (Proc before = Ffmpeg.publishRtmp(url(a, "before"))) {
                    Awaitility.await().atMost(Duration.ofSeconds(15))
                            .until(() -> RtmpProxyHarness.rtmp(a).relayingSessions() == 1);
                    String pinned = pinnedBackend(a.store(), key("before")).orElseThrow();
                    assertThat(pinnedBackend(b.store(), key("before"))).contains(pinned);
                    assertThat(Ffmpeg.countVideoFrames(url(b, "before"), 1, 20)).as("via B; publisher: %s",
                            before.output()).isGreaterThan(10);

                    redis.awaitReplicated(master);
                    redis.kill(master);
                    try (Proc after = Ffmpeg.publishRtmp(url(b, "after"))) {
                        // placed at once (from the proxy's last view if the store is still failing over), and
                        // written to the cluster once the replica has taken over
                        Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                                .ignoreExceptions()
                                .until(() -> pinnedBackend(a.store(), key("after")).isPresent());
                        assertThat(Ffmpeg.countVideoFrames(url(a, "after"), 1, 20)).as("via A; publisher: %s",
                                after.output()).isGreaterThan(10);
                        assertThat(redis.masterOf("oc:{" + CLUSTER + "}:backends")).isNotEqualTo(master);
                        assertThat(before.isAlive()).as("the first publisher never noticed: %s", before.output())
                                .isTrue();
                        assertThat(pinnedBackend(b.store(), key("before"))).contains(pinned);
                        assertThat(Ffmpeg.countVideoFrames(url(b, "before"), 1, 20)).isGreaterThan(10);
                    }
                }
            }
        } finally {
            origins.forEach(NginxRtmpOrigin::close);
        }
    }
}

package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.auth.PublisherLeases;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.TestMedia;
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

/**
 * One publisher per stream across proxies on one real Redis: a second publisher on the other proxy is refused
 * (RTMP and RTSP), the lease survives a drain that moves the publisher to another origin, and is free again once
 * the publisher leaves; with {@code PROXY_PUBLISHER_CONFLICT=takeover} the newcomer wins and the old session ends.
 */
class RtmpPublisherLeaseTest {

    private static List<String> publish(String url) {
        return List.of("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", TestMedia.flv().toString(),
                "-c", "copy", "-f", "flv", url);
    }

    private static int leases(Dataplane d) {
        return d.routing().admission().leases().map(PublisherLeases::held).orElse(-1);
    }

    @Test
    void aSecondPublisherOnAnyProxyIsRefusedUntilTheFirstLeavesEvenAcrossADrain() throws Exception {
        List<NginxRtmpOrigin> origins = List.of(NginxRtmpOrigin.start(), NginxRtmpOrigin.start());
        try (RedisServer redis = RedisServer.start();
             Dataplane a = RtmpProxyHarness.start(Map.of("PROXY_PUBLISHER_LEASE_TTL", "3s"),
                     RedisStateStore.connect(redis.uri(), "lease-test", PlacementPolicy.named("least-pinned")));
             Dataplane b = RtmpProxyHarness.start(Map.of("PROXY_PUBLISHER_LEASE_TTL", "3s"),
                     RedisStateStore.connect(redis.uri(), "lease-test", PlacementPolicy.named("least-pinned")))) {
            register(a.store(), "origin-0", origins.get(0));
            register(a.store(), "origin-1", origins.get(1));
            String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", "one").toString();
            try (Proc first = Ffmpeg.publishRtmp(url(a, "one"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> origins.stream().anyMatch(o -> o.isPublishing("one")));
                assertThat(leases(a)).isEqualTo(1);
                try (Proc second = Proc.start("ffmpeg-second", publish(url(b, "one")))) {
                    assertThat(second.waitFor(20)).as(second.output()).isNotIn(0, -1);
                    assertThat(second.output()).contains("already has a publisher");
                }
                try (Proc rtsp = Proc.start("ffmpeg-second-rtsp", List.of("ffmpeg", "-v", "error", "-re", "-i",
                        TestMedia.flv().toString(), "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp",
                        "rtsp://127.0.0.1:" + b.port("rtsp") + "/live/one"))) {
                    assertThat(rtsp.waitFor(20)).as(rtsp.output()).isNotIn(0, -1);
                    assertThat(rtsp.output()).contains("409");
                }

                // a drain moves the publisher to the other origin; its lease stays with it, renewed past its TTL
                String holder = pinnedBackend(a.store(), key).orElseThrow();
                RtmpProxyHarness.join(a.store().setDraining(holder, true));
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> !a.routing().sessions().countsByBackend().containsKey(holder)
                                && a.routing().sessions().countsByBackend().size() == 1);
                Thread.sleep(4000);
                assertThat(first.isAlive()).as(first.output()).isTrue();
                try (Proc third = Proc.start("ffmpeg-third", publish(url(b, "one")))) {
                    assertThat(third.waitFor(20)).as(third.output()).isNotIn(0, -1);
                    assertThat(third.output()).contains("already has a publisher");
                }
                assertThat(leases(a)).isEqualTo(1);
                assertThat(leases(b)).isZero();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> leases(a) == 0);
            try (Proc next = Ffmpeg.publishRtmp(url(b, "one"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> leases(b) == 1);
                Thread.sleep(1000);
                assertThat(next.isAlive()).as(next.output()).isTrue();
            }
        } finally {
            origins.forEach(NginxRtmpOrigin::close);
        }
    }

    @Test
    void withTakeOverTheNewPublisherWinsAndTheOldSessionEnds() throws Exception {
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Dataplane proxy = RtmpProxyHarness.start(Map.of("PROXY_PUBLISHER_CONFLICT", "takeover"))) {
            register(proxy.store(), "origin-0", origin);
            try (Proc old = Ffmpeg.publishRtmp(url(proxy, "taken"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("taken"));
                try (Proc newcomer = Ffmpeg.publishRtmp(url(proxy, "taken"))) {
                    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !old.isAlive());
                    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("taken"));
                    Thread.sleep(1000);
                    assertThat(newcomer.isAlive()).as(newcomer.output()).isTrue();
                    assertThat(leases(proxy)).isEqualTo(1);
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> leases(proxy) == 0);
        }
    }
}

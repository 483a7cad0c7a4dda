package io.origincluster.dataplane.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.DecodingPlayer;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.Backend;
import io.origincluster.state.testing.RedisSentinelTestServer;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A Sentinel failover under load: real redis-server master and replica watched by a real Sentinel, two proxies
 * configured with the {@code redis-sentinel://} URI, two nginx-rtmp origins registering by heartbeat through proxy
 * A, publishers and players on both proxies. The master is SIGKILLed: no established session ends or stalls, new
 * sessions of known and new streams work while Sentinel promotes the replica, and both proxies then agree on
 * every pin through the new master.
 */
class SentinelFailoverChaosTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void masterKilledUnderLoadFailsOverWithoutCuttingAnything() throws Exception {
        List<AutoCloseable> peers = new ArrayList<>();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        try {
            RedisServer master = track(peers, RedisServer.start());
            RedisServer replica = track(peers, RedisServer.startReplicaOf(master));
            RedisSentinelTestServer sentinel = track(peers, RedisSentinelTestServer.start(master));
            sentinel.awaitReplicas(1);
            NginxRtmpOrigin o0 = track(peers, NginxRtmpOrigin.start());
            NginxRtmpOrigin o1 = track(peers, NginxRtmpOrigin.start());
            Dataplane a = track(peers, proxy(sentinel.uri()));
            Dataplane b = track(peers, proxy(sentinel.uri()));
            int apiA = a.port("system-api");
            heartbeat.scheduleAtFixedRate(() -> {
                register(apiA, "o0", o0);
                register(apiA, "o1", o1);
            }, 0, 1, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.store().liveBackends().toCompletableFuture().get().size() == 2);

            List<Proc> publishers = new ArrayList<>();
            List<DecodingPlayer> established = new ArrayList<>();
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(a, "s0"))));
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(b, "s1"))));
            awaitPinned(a, "s0");
            awaitPinned(a, "s1");
            established.add(track(peers, DecodingPlayer.play("s0-via-b", url(b, "s0"))));
            established.add(track(peers, DecodingPlayer.play("s1-via-a", url(a, "s1"))));
            for (DecodingPlayer p : established) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> p.frameCount() > 25);
            }
            master.awaitReplicated(1);

            long killedAt = System.nanoTime();
            master.close(); // SIGKILL

            // while Sentinel notices (1 s) and promotes the replica: new sessions of known and new streams
            assertThat(Ffmpeg.countVideoFrames(url(b, "s1"), 1, 10)).as("new player of s1 via B").isGreaterThan(5);
            assertThat(Ffmpeg.countVideoFrames(url(a, "s0"), 1, 10)).as("new player of s0 via A").isGreaterThan(5);
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(a, "new-a"))));
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(b, "new-b"))));
            DecodingPlayer duringA = track(peers, DecodingPlayer.play("new-a-via-a", url(a, "new-a")));
            DecodingPlayer duringB = track(peers, DecodingPlayer.play("new-b-via-b", url(b, "new-b")));
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> duringA.frameCount() > 10 && duringB.frameCount() > 10);
            established.add(duringA);
            established.add(duringB);

            // the replica is the master now, and both proxies agree on every pin through it
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> sentinel.masterPort() == replica.port()
                            && a.routing().storeAvailable() && b.routing().storeAvailable()
                            && a.routing().unsyncedPins() == 0 && b.routing().unsyncedPins() == 0
                            && a.store().liveBackends().toCompletableFuture().get().size() == 2
                            && agree(a, b, "s0", "s1", "new-a", "new-b"));
            double recoveredIn = (System.nanoTime() - killedAt) / 1e9;
            assertThat(Ffmpeg.countVideoFrames(url(b, "new-a"), 1, 10)).as("new-a via B after").isGreaterThan(5);
            assertThat(Ffmpeg.countVideoFrames(url(a, "new-b"), 1, 10)).as("new-b via A after").isGreaterThan(5);

            long now = System.nanoTime();
            for (Proc p : publishers) {
                assertThat(p.isAlive()).as("publisher alive: %s", p.output()).isTrue();
            }
            for (DecodingPlayer p : established) {
                assertThat(p.isAlive()).as("player alive: %s", p.log()).isTrue();
                assertThat(p.maxGapMillisBetween(killedAt, now)).as("longest stall during the failover: %s",
                        p.log()).isLessThan(3000);
            }
            System.out.printf("sentinel failover: proxies converged on the new master %.1f s after the kill%n",
                    recoveredIn);
        } finally {
            heartbeat.shutdownNow();
            for (int i = peers.size() - 1; i >= 0; i--) {
                try {
                    peers.get(i).close();
                } catch (Exception ignored) {
                    // best effort: every peer is still closed
                }
            }
        }
    }

    private static boolean agree(Dataplane a, Dataplane b, String... streams) throws Exception {
        for (String s : streams) {
            String pa = pinned(a, s);
            if (pa == null || !pa.equals(pinned(b, s))) {
                return false;
            }
        }
        return true;
    }

    private static Dataplane proxy(String redisUri) throws Exception {
        return new Dataplane(ProxyConfig.from(Map.ofEntries(
                Map.entry("PROXY_RTMP_SERVER", "127.0.0.1:0"), Map.entry("PROXY_HTTP_SERVER", "127.0.0.1:0"),
                Map.entry("PROXY_HTTP_API", "127.0.0.1:0"), Map.entry("PROXY_WEBRTC_SERVER", "127.0.0.1:0"),
                Map.entry("PROXY_SRT_SERVER", "127.0.0.1:0"), Map.entry("PROXY_RTSP_SERVER", "127.0.0.1:0"),
                Map.entry("PROXY_SYSTEM_API", "127.0.0.1:0"), Map.entry("PROXY_CONNECT_TIMEOUT", "1s"),
                Map.entry("PROXY_LOAD_BALANCER_TYPE", "redis"), Map.entry("PROXY_REDIS_URL", redisUri),
                Map.entry("PROXY_CLUSTER_ID", "sentinel-chaos")))).start();
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> peers, T peer) {
        peers.add(peer);
        return peer;
    }

    private static String url(Dataplane d, String stream) {
        return "rtmp://127.0.0.1:" + d.port("rtmp") + "/live/" + stream;
    }

    private static String pinned(Dataplane d, String stream) throws Exception {
        String key = StreamKey.fromRtmp("rtmp://127.0.0.1/live", stream).toString();
        return d.store().pinned(key).toCompletableFuture().get(5, TimeUnit.SECONDS).map(Backend::id).orElse(null);
    }

    private static void awaitPinned(Dataplane d, String stream) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pinned(d, stream) != null);
    }

    private static void register(int apiPort, String server, NginxRtmpOrigin origin) {
        String body = "{\"ip\":\"127.0.0.1\",\"server\":\"" + server + "\",\"service\":\"svc\",\"pid\":\"1\","
                + "\"rtmp\":[\"127.0.0.1:" + origin.rtmpPort() + "\"],\"http\":[\"" + origin.httpPort() + "\"]}";
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/v1/srs/register"))
                    .timeout(Duration.ofSeconds(3)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // the next heartbeat tries again, as SRS does
        }
    }
}

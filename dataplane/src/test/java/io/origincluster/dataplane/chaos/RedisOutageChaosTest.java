package io.origincluster.dataplane.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.DecodingPlayer;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.Backend;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Redis SIGKILLed under load and restarted (empty) on the same port: two proxies on real nginx-rtmp origins that
 * register by heartbeat through proxy A, publishers and players on both proxies. No established session ends, new
 * sessions for known and new streams work while Redis is away, and the state converges once it is back.
 */
class RedisOutageChaosTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    @Test
    void redisKilledUnderLoadCutsNothingAndConverges() throws Exception {
        List<AutoCloseable> peers = new ArrayList<>();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        RedisServer redis = RedisServer.start();
        int redisPort = redis.port();
        try {
            NginxRtmpOrigin o0 = NginxRtmpOrigin.start();
            NginxRtmpOrigin o1 = NginxRtmpOrigin.start();
            peers.add(o0);
            peers.add(o1);
            Dataplane a = proxy(redis.uri());
            peers.add(a);
            Dataplane b = proxy(redis.uri());
            peers.add(b);
            // SRS heartbeats: every second, through proxy A's system API
            int apiA = a.port("system-api");
            heartbeat.scheduleAtFixedRate(() -> {
                register(apiA, "o0", o0);
                register(apiA, "o1", o1);
            }, 0, 1, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.store().liveBackends().toCompletableFuture().get().size() == 2);

            // load before the outage: s0 published via A, played via B; s1 published via B, played via A
            List<Proc> publishers = new ArrayList<>();
            List<DecodingPlayer> established = new ArrayList<>();
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(a, "s0"))));
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(b, "s1"))));
            awaitPinned(a, "s0");
            awaitPinned(a, "s1");
            established.add(track(peers, DecodingPlayer.play("s0-via-b", url(b, "s0"))));
            established.add(track(peers, DecodingPlayer.play("s1-via-a", url(a, "s1"))));
            established.add(track(peers, DecodingPlayer.play("s0-via-a", url(a, "s0"))));
            for (DecodingPlayer p : established) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> p.frameCount() > 25);
            }
            Thread.sleep(1500); // pin caches are past their 1 s TTL: routing below really runs without Redis

            // Redis goes away (SIGKILL)
            long killedAt = System.nanoTime();
            redis.close();
            redis = null;

            // new sessions of known streams, on both proxies
            assertThat(Ffmpeg.countVideoFrames(url(b, "s1"), 1, 10)).as("new player of s1 via B").isGreaterThan(5);
            assertThat(Ffmpeg.countVideoFrames(url(a, "s0"), 1, 10)).as("new player of s0 via A").isGreaterThan(5);
            // new streams, placed locally on the origins each proxy knew
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(a, "new-a"))));
            publishers.add(track(peers, Ffmpeg.publishRtmp(url(b, "new-b"))));
            DecodingPlayer duringA = track(peers, DecodingPlayer.play("new-a-via-a", url(a, "new-a")));
            DecodingPlayer duringB = track(peers, DecodingPlayer.play("new-b-via-b", url(b, "new-b")));
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> duringA.frameCount() > 10
                    && duringB.frameCount() > 10);
            established.add(duringA);
            established.add(duringB);
            JsonNode ready = json(get(apiA, "/readyz"));
            assertThat(ready.get("status").asText()).isEqualTo("ready");
            assertThat(ready.get("store").asText()).isEqualTo("degraded");
            assertThat(ready.get("unsyncedPins").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(a.routing().storeAvailable()).isFalse();

            long left = OUTAGE.toNanos() - (System.nanoTime() - killedAt);
            if (left > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
            }
            // Redis returns, empty, where the proxies expect it
            redis = RedisServer.start(redisPort);
            long backAt = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                    a.routing().storeAvailable() && b.routing().storeAvailable()
                            && a.routing().unsyncedPins() == 0 && b.routing().unsyncedPins() == 0
                            && pinned(a, "s0") != null && pinned(a, "s1") != null
                            && pinned(a, "new-a") != null && pinned(a, "new-b") != null
                            && a.store().liveBackends().toCompletableFuture().get().size() == 2);
            double convergedIn = (System.nanoTime() - backAt) / 1e9;
            assertThat(convergedIn).as("seconds to converge").isLessThan(10);
            assertThat(json(get(apiA, "/readyz")).get("store").asText()).isEqualTo("ok");
            assertThat(json(get(b.port("system-api"), "/readyz")).get("store").asText()).isEqualTo("ok");

            // a stream placed locally during the outage is found through Redis by the other proxy
            assertThat(Ffmpeg.countVideoFrames(url(b, "new-a"), 1, 10)).as("new-a via B after").isGreaterThan(5);
            assertThat(Ffmpeg.countVideoFrames(url(a, "new-b"), 1, 10)).as("new-b via A after").isGreaterThan(5);

            // nothing established ended, and media kept flowing through the outage
            long now = System.nanoTime();
            for (Proc p : publishers) {
                assertThat(p.isAlive()).as("publisher alive: %s", p.output()).isTrue();
            }
            for (DecodingPlayer p : established) {
                assertThat(p.isAlive()).as("player alive: %s", p.log()).isTrue();
                assertThat(p.maxGapMillisBetween(killedAt, now)).as("longest stall of a player during the outage "
                        + "and recovery: %s", p.log()).isLessThan(3000);
            }
        } finally {
            heartbeat.shutdownNow();
            for (int i = peers.size() - 1; i >= 0; i--) {
                try {
                    peers.get(i).close();
                } catch (Exception ignored) {
                    // best effort: every peer is still closed
                }
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    private static Dataplane proxy(String redisUri) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0", "PROXY_SYSTEM_API", "127.0.0.1:0",
                "PROXY_CONNECT_TIMEOUT", "1s", "PROXY_LOAD_BALANCER_TYPE", "redis",
                "PROXY_REDIS_URL", redisUri));
        env.put("PROXY_CLUSTER_ID", "chaos");
        return new Dataplane(ProxyConfig.from(env)).start();
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

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

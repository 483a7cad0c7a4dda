package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HLS from a real nginx-rtmp origin (nginx writes and serves the playlist and segments) through two proxy
 * replicas that share nothing but the token key: each has its own in-memory store that knows the origin, and no
 * session state passes between them.
 */
class HlsAcrossReplicasTest {

    private static final String STREAM = "hls1";
    private static NginxRtmpOrigin origin;
    private static Proc publisher;
    private static Dataplane proxyA;
    private static Dataplane proxyB;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        origin = NginxRtmpOrigin.start();
        publisher = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/" + STREAM);
        proxyA = ProxyFixture.start(Map.of());
        proxyB = ProxyFixture.start(Map.of());
        ProxyFixture.registerHttpOrigin(proxyA.store(), "nginx-1", origin.httpPort());
        ProxyFixture.registerHttpOrigin(proxyB.store(), "nginx-1", origin.httpPort());
        Path playlist = origin.hlsDir().resolve(STREAM + ".m3u8");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(playlist)
                && Files.readString(playlist).lines().filter(l -> l.endsWith(".ts")).count() >= 3);
    }

    @AfterAll
    static void stop() {
        ProxyFixture.closeAll(proxyA, proxyB, publisher, origin);
    }

    @Test
    void ffprobePlaysTheOriginsHlsThroughTheProxy() {
        int frames = Probe.videoFrames("http://127.0.0.1:" + ProxyFixture.httpPort(proxyA) + "/live/" + STREAM
                + ".m3u8", List.of("-rw_timeout", "5000000"), 2, 25);
        assertThat(frames).as("video frames decoded from HLS through the proxy").isGreaterThan(10);
    }

    @Test
    void playlistFromReplicaASegmentsFromReplicaB() throws Exception {
        int a = ProxyFixture.httpPort(proxyA);
        int b = ProxyFixture.httpPort(proxyB);
        HttpResponse<String> pl = get(a, "/live/" + STREAM + ".m3u8");
        assertThat(pl.statusCode()).isEqualTo(200);
        assertThat(pl.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        assertThat(pl.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(pl.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        List<String> uris = pl.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(uris).isNotEmpty().allMatch(u -> u.matches(STREAM + "-\\d+\\.ts\\?" + HlsToken.PARAM + "=\\S+"));

        for (String u : uris.subList(Math.max(0, uris.size() - 2), uris.size())) {
            HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + b + "/live/" + u)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(seg.statusCode()).as("segment %s from replica B", u).isEqualTo(200);
            assertThat(seg.headers().firstValue("Content-Type")).hasValue("video/mp2t");
            assertThat(seg.body().length).isGreaterThan(188);
            assertThat(seg.body()[0]).as("MPEG-TS sync byte").isEqualTo((byte) 0x47);
        }

        // A player that got the playlist from A and fetches every segment from B decodes the stream.
        String local = pl.body().lines().map(l -> l.isBlank() || l.startsWith("#") ? l
                        : "http://127.0.0.1:" + b + "/live/" + l).collect(Collectors.joining("\n", "", "\n"))
                .concat("#EXT-X-ENDLIST\n");
        Path file = Files.createTempFile(Path.of("target").toAbsolutePath(), "from-a-", ".m3u8");
        Files.writeString(file, local);
        int frames = Probe.videoFrames(file.toString(), List.of("-protocol_whitelist", "file,http,tcp"), 2, 25);
        assertThat(frames).as("frames decoded from segments served by replica B").isGreaterThan(10);

        assertThat(proxyB.store().pins().toCompletableFuture().join())
                .as("replica B routed by token alone: it pinned nothing").isEmpty();
        long backendLookups = proxyB.metrics().scrape().lines()
                .filter(l -> l.startsWith("origincluster_state_store_call_seconds_count{operation=\"backend\"}"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(backendLookups).as("segment requests find their origin among the known backends, not in the "
                + "store each").isLessThanOrEqualTo(1);
    }

    @Test
    void replicaBRefusesForgedTokensAndSaysWhenTheOriginIsGone() throws Exception {
        int a = ProxyFixture.httpPort(proxyA);
        String uri = get(a, "/live/" + STREAM + ".m3u8").body().lines()
                .filter(l -> l.endsWith(".ts") || l.contains(".ts?")).reduce((x, y) -> y).orElseThrow();
        int b = ProxyFixture.httpPort(proxyB);
        String tampered = uri.substring(0, uri.length() - 3) + (uri.endsWith("AAA") ? "BBB" : "AAA");
        HttpResponse<String> forged = get(b, "/live/" + tampered);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("invalid HLS token");

        try (Dataplane other = ProxyFixture.start(Map.of("PROXY_HLS_TOKEN_KEY", "another-key-another-cluster"))) {
            ProxyFixture.registerHttpOrigin(other.store(), "nginx-1", origin.httpPort());
            HttpResponse<String> foreign = get(ProxyFixture.httpPort(other), "/live/" + uri);
            assertThat(foreign.statusCode()).as("token signed with another key").isEqualTo(403);
        }

        try (Dataplane c = ProxyFixture.start(Map.of())) {
            HttpResponse<String> gone = get(ProxyFixture.httpPort(c), "/live/" + uri);
            assertThat(gone.statusCode()).as("valid token, origin unknown to this replica").isEqualTo(404);
            assertThat(gone.body()).contains("nginx-1").contains("is gone");
        }
    }

    /**
     * Zero configuration: two replicas on one real Redis and no PROXY_HLS_TOKEN_KEY share the key through Redis,
     * so a playlist from A has its segments served by B. A replica with an explicit key still uses its own.
     */
    @Test
    void replicasOnOneRedisWithNoTokenKeyShareOneThroughRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> shared = Map.of("PROXY_LOAD_BALANCER_TYPE", "redis", "PROXY_REDIS_URL", redis.uri(),
                    "PROXY_CLUSTER_ID", "hls-zero-config", "PROXY_HLS_TOKEN_KEY", "");
            try (Dataplane a = new Dataplane(ProxyConfig.from(ProxyFixture.env(shared))).start();
                 Dataplane b = new Dataplane(ProxyConfig.from(ProxyFixture.env(shared))).start()) {
                assertThat(a.config().http().hlsTokenKeyShared()).isTrue();
                ProxyFixture.registerHttpOrigin(a.store(), "nginx-1", origin.httpPort());
                HttpResponse<String> pl = get(ProxyFixture.httpPort(a), "/live/" + STREAM + ".m3u8");
                assertThat(pl.statusCode()).isEqualTo(200);
                List<String> uris = pl.body().lines().filter(l -> l.contains(".ts?" + HlsToken.PARAM + "=")).toList();
                assertThat(uris).isNotEmpty();
                for (String u : uris.subList(Math.max(0, uris.size() - 2), uris.size())) {
                    HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                    + ProxyFixture.httpPort(b) + "/live/" + u)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(seg.statusCode()).as("segment %s from replica B", u).isEqualTo(200);
                    assertThat(seg.body()[0]).as("MPEG-TS sync byte").isEqualTo((byte) 0x47);
                }
                try (RedisClientProbe raw = new RedisClientProbe(redis.uri())) {
                    assertThat(raw.hashFields("oc:{hls-zero-config}:secret:hls-token"))
                            .containsOnly("current", "next", "previous", "rotated");
                }

                Map<String, String> explicit = new java.util.HashMap<>(shared);
                explicit.put("PROXY_HLS_TOKEN_KEY", "an-explicit-key-that-wins-over-redis");
                try (Dataplane c = new Dataplane(ProxyConfig.from(ProxyFixture.env(explicit))).start()) {
                    assertThat(c.config().http().hlsTokenKeyShared()).isFalse();
                    HttpResponse<String> refused = get(ProxyFixture.httpPort(c), "/live/" + uris.get(0));
                    assertThat(refused.statusCode()).as("the explicit key wins over the shared one").isEqualTo(403);
                }
            }
        }
    }

    /** A plain Lettuce connection to look at what the proxies wrote. */
    private static final class RedisClientProbe implements AutoCloseable {
        private final io.lettuce.core.RedisClient client;
        private final io.lettuce.core.api.StatefulRedisConnection<String, String> conn;

        RedisClientProbe(String uri) {
            client = io.lettuce.core.RedisClient.create(uri);
            conn = client.connect();
        }

        java.util.Set<String> hashFields(String key) {
            return conn.sync().hgetall(key).keySet();
        }

        @Override
        public void close() {
            conn.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static HttpResponse<String> get(int port, String target) throws Exception {
        return ProxyFixture.get(port, target);
    }
}

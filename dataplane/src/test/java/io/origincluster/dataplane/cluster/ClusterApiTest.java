package io.origincluster.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.metrics.Scrape;
import io.origincluster.state.StateStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/cluster/*} on a real proxy whose origins are: an SRS-emulating API (recorded SRS 7 replies, 120
 * streams so the poller pages), an origin whose API never answers, one that answers garbage, and an nginx-rtmp-like
 * origin registered without an API. Origins register through the system API with SRS's heartbeat body.
 */
class ClusterApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String CAP = "__defaultVhost__/live/cap";
    private static final String NGINX_STREAM = "__defaultVhost__/live/nginx1";

    private final List<AutoCloseable> peers = new ArrayList<>();
    private Dataplane proxy;
    private SrsApiOrigin srs;
    private BadOrigins.Silent silent;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0", "PROXY_SYSTEM_API", "127.0.0.1:0"));
        env.put("PROXY_CLUSTER_POLL_INTERVAL", "400ms");
        env.put("PROXY_CLUSTER_POLL_TIMEOUT", "300ms");
        env.put("PROXY_CLUSTER_POLL_CONCURRENCY", "2");
        proxy = new Dataplane(ProxyConfig.from(env)).start();
        srs = new SrsApiOrigin("vid-426h04p", "h9i9iy02", "22280");
        peers.add(srs);
        srs.add(new SrsApiOrigin.Stream("cap", "live", true, 1, 952, 789));
        for (int i = 0; i < 119; i++) {
            srs.add(new SrsApiOrigin.Stream("s" + i, "live", false, 0, 0, 0));
        }
        silent = new BadOrigins.Silent();
        peers.add(silent);
        BadOrigins.Fixed garbage = BadOrigins.Fixed.garbage();
        peers.add(garbage);
        assertThat(post(srs.registerBody(19351)).statusCode()).isEqualTo(200);
        assertThat(post(body("slow", silent.port())).statusCode()).isEqualTo(200);
        assertThat(post(body("junk", garbage.port())).statusCode()).isEqualTo(200);
        // nginx-rtmp registered by hand: no api endpoint
        assertThat(post("{\"ip\":\"127.0.0.1\",\"server\":\"nginx\",\"service\":\"rtmp\",\"pid\":\"1\","
                + "\"rtmp\":[\"19352\"]}").statusCode()).isEqualTo(200);
        StateStore store = proxy.store();
        join(store.pin(CAP, Set.of("slow-s-1", "junk-s-1", "nginx-rtmp-1"), Duration.ofMinutes(1)));
        join(store.pin(NGINX_STREAM, Set.of("slow-s-1", "junk-s-1", srs.id()), Duration.ofMinutes(1)));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (AutoCloseable p : peers) {
            p.close();
        }
    }

    @Test
    void streamsAreMergedFromEveryOriginWithPinsAndErrors() throws Exception {
        JsonNode r = awaitCluster("/api/v1/cluster/streams", n -> n.get("streams").size() == 121
                && n.get("errors").size() == 2);
        assertThat(r.get("code").asInt()).isZero();
        assertThat(r.get("ageMs").asLong()).isBetween(0L, 5_000L);
        assertThat(r.get("polledAt").asText()).isNotEmpty();
        JsonNode cap = find(r.get("streams"), "key", CAP);
        assertThat(cap.get("origin").asText()).isEqualTo(srs.id());
        assertThat(cap.get("pinnedTo").asText()).isEqualTo(srs.id());
        assertThat(cap.get("publisher").asBoolean()).isTrue();
        assertThat(cap.get("clients").asInt()).isEqualTo(2);
        assertThat(cap.get("kbps").get("in").asLong()).isEqualTo(952);
        assertThat(cap.get("kbps").get("out").asLong()).isEqualTo(789);
        assertThat(cap.get("video").get("codec").asText()).isEqualTo("H264");
        assertThat(cap.get("video").get("width").asInt()).isEqualTo(640);
        assertThat(cap.get("audio").get("codec").asText()).isEqualTo("AAC");
        assertThat(cap.get("source").asText()).isEqualTo("origin");
        JsonNode other = find(r.get("streams"), "key", "__defaultVhost__/live/s118");
        assertThat(other.get("pinnedTo").isNull()).isTrue();
        assertThat(other.get("publisher").asBoolean()).isFalse();
        // the origin without an API: what the proxy knows (its pin)
        JsonNode nginx = find(r.get("streams"), "key", NGINX_STREAM);
        assertThat(nginx.get("origin").asText()).isEqualTo("nginx-rtmp-1");
        assertThat(nginx.get("source").asText()).isEqualTo("pin");
        assertThat(nginx.get("publisher").isNull()).isTrue();
        // the two bad origins, each with its reason
        assertThat(find(r.get("errors"), "origin", "slow-s-1").get("error").asText()).contains("within 300ms");
        assertThat(find(r.get("errors"), "origin", "junk-s-1").get("error").asText()).contains("malformed JSON");
        // SRS pages of at most 100 were read until a short one: 120 streams took two pages
        assertThat(srs.requests).contains("/api/v1/streams/?start=0&count=100", "/api/v1/streams/?start=100&count=100");
    }

    @Test
    void theApiAnswersFromTheSnapshotSoASlowOriginNeverSlowsIt() throws Exception {
        awaitCluster("/api/v1/cluster/summaries", n -> n.get("errors").size() == 2);
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get("/api/v1/cluster/streams");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.statusCode()).isEqualTo(200);
            // the silent origin takes the whole 300 ms poll timeout every poll; the API never waits for it
            assertThat(ms).as("reply time").isLessThan(250);
        }
        // polls go on in the background: the snapshot is replaced, the silent origin is asked again
        String first = json(get("/api/v1/cluster/summaries")).get("polledAt").asText();
        int asked = silent.connections();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                !json(get("/api/v1/cluster/summaries")).get("polledAt").asText().equals(first)
                        && silent.connections() > asked);
    }

    @Test
    void summariesCarryTheOriginsFiguresAndTheProxysOwnView() throws Exception {
        JsonNode r = awaitCluster("/api/v1/cluster/summaries", n -> n.get("errors").size() == 2
                && find(n.get("origins"), "id", srs.id()).get("status").asText().equals("ok"));
        assertThat(r.get("origins").size()).isEqualTo(4);
        JsonNode a = find(r.get("origins"), "id", srs.id());
        assertThat(a.get("api").asText()).isEqualTo("http://127.0.0.1:" + srs.port());
        assertThat(a.get("summary").get("version").asText()).isEqualTo("7.0.18");
        assertThat(a.get("summary").get("cpuPercent").asDouble()).isEqualTo(0.01);
        assertThat(a.get("summary").get("memoryKbyte").asLong()).isEqualTo(28224);
        assertThat(a.get("summary").get("connections").asLong()).isEqualTo(2);
        assertThat(a.get("summary").get("streams").asInt()).isEqualTo(120);
        assertThat(a.get("summary").get("clients").asInt()).isEqualTo(2);
        assertThat(a.get("summary").get("kbps").get("in").asLong()).isEqualTo(952);
        assertThat(a.get("proxy").get("pinnedStreams").asLong()).isEqualTo(1);
        assertThat(a.get("proxy").get("sessions").asInt()).isZero();
        JsonNode nginx = find(r.get("origins"), "id", "nginx-rtmp-1");
        assertThat(nginx.get("status").asText()).isEqualTo("no_api");
        assertThat(nginx.get("summary").isNull()).isTrue();
        assertThat(nginx.get("proxy").get("pinnedStreams").asLong()).isEqualTo(1);
        JsonNode slow = find(r.get("origins"), "id", "slow-s-1");
        assertThat(slow.get("status").asText()).isEqualTo("error");
        assertThat(slow.get("error").asText()).contains("within 300ms");

        // the poller's figures are exported per origin
        Scrape s = Scrape.of(proxy.port("system-api"));
        assertThat(s.sum("origincluster_origin_connections", "origin", srs.id())).isEqualTo(2);
        assertThat(s.sum("origincluster_origin_streams", "origin", srs.id())).isEqualTo(120);
        assertThat(s.sum("origincluster_origin_cpu_percent", "origin", srs.id())).isEqualTo(0.01);
        assertThat(s.sum("origincluster_origin_memory_bytes", "origin", srs.id())).isEqualTo(28224 * 1024.0);
        assertThat(s.sum("origincluster_origin_receive_bits_per_second", "origin", srs.id())).isEqualTo(952_000);
        assertThat(s.sum("origincluster_origin_send_bits_per_second", "origin", srs.id())).isEqualTo(789_000);
        assertThat(s.sum("origincluster_origin_api_up", "origin", srs.id())).isEqualTo(1);
        assertThat(s.sum("origincluster_origin_api_up", "origin", "slow-s-1")).isZero();
        assertThat(s.sum("origincluster_origin_api_up", "origin", "junk-s-1")).isZero();
        assertThat(s.has("origincluster_origin_api_up", "origin", "nginx-rtmp-1")).isFalse();

        // the SRS origin leaves: gone from the summaries and from the exported figures after the next poll
        assertThat(send("DELETE", "/api/v1/origins/" + srs.id()).statusCode()).isEqualTo(200);
        awaitCluster("/api/v1/cluster/summaries", n -> n.get("origins").size() == 3);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                !Scrape.of(proxy.port("system-api")).has("origincluster_origin_streams", "origin", srs.id()));
    }

    @Test
    void clientsArePagedAndBadPageParametersAreRefused() throws Exception {
        for (int i = 0; i < 30; i++) {
            srs.add(new SrsApiOrigin.Stream("busy" + i, "live", true, 3, 100, 300));
        }
        JsonNode all = awaitCluster("/api/v1/cluster/clients", n -> n.get("total").asInt() == 122);
        assertThat(all.get("start").asInt()).isZero();
        assertThat(all.get("count").asInt()).isEqualTo(100);
        assertThat(all.get("clients").size()).isEqualTo(100);
        JsonNode publisher = find(all.get("clients"), "key", CAP);
        assertThat(publisher.get("origin").asText()).isEqualTo(srs.id());
        assertThat(publisher.get("publish").asBoolean()).isTrue();
        assertThat(publisher.get("type").asText()).isEqualTo("fmle-publish");
        JsonNode tail = json(get("/api/v1/cluster/clients?start=100&count=50"));
        assertThat(tail.get("clients").size()).isEqualTo(22);
        assertThat(tail.get("total").asInt()).isEqualTo(122);
        assertThat(tail.get("errors").size()).isEqualTo(2);
        // the client list took two pages of the origin's API
        assertThat(srs.requests).contains("/api/v1/clients/?start=100&count=100");

        HttpResponse<String> zero = get("/api/v1/cluster/clients?count=0");
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(json(zero).get("error").asText()).isEqualTo("count: 0 is outside 1..1000");
        HttpResponse<String> word = get("/api/v1/cluster/clients?start=abc");
        assertThat(word.statusCode()).isEqualTo(400);
        assertThat(json(word).get("error").asText()).isEqualTo("start: 'abc' is not an integer");
        assertThat(send("POST", "/api/v1/cluster/clients").statusCode()).isEqualTo(405);
    }

    private static String body(String server, int apiPort) {
        return "{\"ip\":\"127.0.0.1\",\"server\":\"" + server + "\",\"service\":\"s\",\"pid\":\"1\","
                + "\"rtmp\":[\"19353\"],\"api\":[\"" + apiPort + "\"]}";
    }

    private JsonNode awaitCluster(String path, java.util.function.Predicate<JsonNode> ok) {
        JsonNode[] last = new JsonNode[1];
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                HttpResponse<String> r = get(path);
                if (r.statusCode() != 200) {
                    return false;
                }
                last[0] = json(r);
                return ok.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("never matched; last reply: " + abbreviate(last[0]), e);
        }
        return last[0];
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode n : list) {
            if (n.hasNonNull(field) && n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + abbreviate(list));
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/srs/register"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private String base() {
        return "http://127.0.0.1:" + proxy.port("system-api");
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

}

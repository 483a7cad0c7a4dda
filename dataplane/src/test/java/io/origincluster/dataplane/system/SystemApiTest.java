package io.origincluster.dataplane.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.Protocol;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The system API of an in-process data plane (every port 0), driven over real HTTP. */
class SystemApiTest {

    /** Captured from SRS 7.0.18 (shared/reference/srs-heartbeat-bodies.md): listen values as IP:PORT. */
    static final String SRS_IP_PORT = "{\"device_id\":\"origin1\",\"ip\":\"127.0.0.1\",\"server\":\"vid-8l502g3\","
            + "\"service\":\"81c38de7\",\"pid\":\"14391\",\"rtmp\":[\"127.0.0.1:19351\"],\"http\":[\"127.0.0.1:18081\"],"
            + "\"api\":[\"127.0.0.1:19851\"],\"srt\":[\"udp://0.0.0.0:10081\"],\"rtc\":[\"udp://0.0.0.0:18001\"]}";
    /** The same origin with listen values as bare ports. */
    static final String SRS_BARE_PORT = "{\"device_id\":\"origin1\",\"ip\":\"127.0.0.1\",\"server\":\"vid-8l502g3\","
            + "\"service\":\"97425hc4\",\"pid\":\"18169\",\"rtmp\":[\"19351\"],\"http\":[\"18081\"],\"api\":[\"19851\"],"
            + "\"srt\":[\"udp://0.0.0.0:10081\"],\"rtc\":[\"udp://0.0.0.0:18001\"]}";
    static final String ID_IP_PORT = "vid-8l502g3-81c38de7-14391";
    static final String ID_BARE_PORT = "vid-8l502g3-97425hc4-18169";

    private Dataplane dataplane;
    private ApiClient api;

    static ProxyConfig config(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API", "PROXY_WEBRTC_SERVER",
                "PROXY_SRT_SERVER", "PROXY_RTSP_SERVER")) {
            env.put(name, "0");
        }
        env.put("PROXY_SYSTEM_API", "127.0.0.1:0");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return ProxyConfig.from(env);
    }

    private ApiClient start(String... kv) throws Exception {
        dataplane = new Dataplane(config(kv)).start();
        api = new ApiClient(dataplane.port("system-api"));
        return api;
    }

    @AfterEach
    void stop() {
        if (dataplane != null) {
            dataplane.close();
        }
    }

    @Test
    void bothSrsHeartbeatFormsRegisterAndListWithTheirEndpoints() throws Exception {
        start();
        for (String body : List.of(SRS_IP_PORT, SRS_BARE_PORT)) {
            HttpResponse<String> r = api.register(body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Server")).contains("OriginCluster/0.1.0");
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            JsonNode json = ApiClient.json(r);
            assertThat(json.get("code").asInt()).isZero();
            assertThat(json.get("pid").isTextual()).isTrue();
            assertThat(json.get("pid").asText()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }

        JsonNode a = api.origin(ID_IP_PORT);
        assertThat(a).as("origins: %s", api.origins()).isNotNull();
        assertThat(a.get("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(a.get("source").asText()).isEqualTo("register");
        assertThat(a.get("alive").asBoolean()).isTrue();
        assertThat(a.get("draining").asBoolean()).isFalse();
        assertThat(a.get("labels").get("device_id").asText()).isEqualTo("origin1");
        assertThat(a.get("expiresInMs").asLong()).isBetween(20_000L, 30_000L);
        assertThat(texts(a.get("endpoints").get("rtmp"))).containsExactly("tcp://127.0.0.1:19351");
        assertThat(texts(a.get("endpoints").get("http"))).containsExactly("tcp://127.0.0.1:18081");
        assertThat(texts(a.get("endpoints").get("api"))).containsExactly("tcp://127.0.0.1:19851");
        assertThat(texts(a.get("endpoints").get("srt"))).containsExactly("udp://:10081");
        assertThat(texts(a.get("endpoints").get("rtc"))).containsExactly("udp://:18001");
        assertThat(a.get("dial").get("srt").asText()).isEqualTo("udp://127.0.0.1:10081");

        JsonNode b = api.origin(ID_BARE_PORT);
        assertThat(b).isNotNull();
        assertThat(texts(b.get("endpoints").get("rtmp"))).containsExactly("tcp://:19351");
        assertThat(b.get("dial").get("rtmp").asText()).isEqualTo("tcp://127.0.0.1:19351");
        assertThat(b.get("dial").get("http").asText()).isEqualTo("tcp://127.0.0.1:18081");

        // what the routing layer gets from the store: the endpoint the proxy will dial
        Backend stored = dataplane.store().backend(ID_BARE_PORT).toCompletableFuture().get(2, TimeUnit.SECONDS)
                .orElseThrow();
        assertThat(stored.endpoint(Protocol.RTMP)).contains(new Endpoint("tcp", null, 19351));
        assertThat(stored.endpoint(Protocol.RTC)).contains(new Endpoint("udp", null, 18001));
    }

    @Test
    void unknownKeysSuchAsSummariesAreIgnored() throws Exception {
        start();
        String body = SRS_IP_PORT.replace("\"pid\":\"14391\",",
                "\"pid\":\"14391\",\"summaries\":{\"ok\":true,\"data\":{\"cpus\":2,\"load\":[0.1,0.2]}},\"extra\":1,");
        HttpResponse<String> r = api.register(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(api.origin(ID_IP_PORT)).isNotNull();
    }

    @Test
    void anRtspEndpointIsOptionalAndListedWhenGiven() throws Exception {
        start();
        String body = SRS_IP_PORT.replace("\"pid\":\"14391\",", "\"pid\":\"14391\",\"rtsp\":[\"8554\"],");
        assertThat(api.register(body).statusCode()).isEqualTo(200);
        JsonNode a = api.origin(ID_IP_PORT);
        assertThat(texts(a.get("endpoints").get("rtsp"))).containsExactly("tcp://:8554");
        assertThat(a.get("dial").get("rtsp").asText()).isEqualTo("tcp://127.0.0.1:8554");
        assertThat(api.register(SRS_BARE_PORT).statusCode()).isEqualTo(200);
        assertThat(api.origin(ID_BARE_PORT).get("endpoints").has("rtsp")).as("SRS sends no rtsp key").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "malformed JSON            | {\"ip\":                                    | malformed JSON",
        "array instead of object   | []                                          | must be a JSON object",
        "missing ip                | {\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]} | ip: missing",
        "empty ip                  | {\"ip\":\"\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]} | ip: empty",
        "ip with a space           | {\"ip\":\"1.2.3.4 x\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]} | ip:",
        "missing server            | {\"ip\":\"1.2.3.4\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]} | server: missing",
        "null service              | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":null,\"pid\":\"1\",\"rtmp\":[\"1935\"]} | service: missing",
        "pid as a number           | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":1,\"rtmp\":[\"1935\"]} | pid: must be a string, got a number",
        "missing rtmp              | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\"} | rtmp: missing",
        "empty rtmp                | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[]} | rtmp: empty",
        "rtmp as a string          | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":\"1935\"} | rtmp: must be an array of strings, got a string",
        "rtmp entry as a number    | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[1935]} | rtmp[0]: must be a string, got a number",
        "bad http endpoint         | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"http\":[\"abc\"]} | http[0]: bad port in endpoint 'abc'",
        "srt port out of range     | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"srt\":[\"udp://0.0.0.0:99999\"]} | srt[0]: port out of range",
        "unknown rtc transport     | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"rtc\":[\"ftp://1.2.3.4:5\"]} | rtc[0]: unknown transport",
        "api as an object          | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"api\":{}} | api: must be an array of strings, got an object",
        "bad rtsp endpoint         | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"rtsp\":[\"udp://1.2.3.4:x\"]} | rtsp[0]: bad port in endpoint",
        "device_id as a number     | {\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"device_id\":7} | device_id: must be a string",
    })
    void invalidRegistrationsGet400NamingTheProblem(String name, String body, String expected) throws Exception {
        start();
        HttpResponse<String> r = api.register(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode json = ApiClient.json(r);
        assertThat(json.get("code").asInt()).isNotZero();
        assertThat(json.get("error").asText()).contains(expected);
        assertThat(api.origins()).isEmpty();
    }

    @Test
    void emptyBodyIsRejected() throws Exception {
        start();
        HttpResponse<String> r = api.register("");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(r).get("error").asText()).contains("empty body");
    }

    @Test
    void wrongMethodsGet405AndUnknownPaths404() throws Exception {
        start();
        HttpResponse<String> get = api.get("/api/v1/srs/register");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST, DELETE");
        assertThat(ApiClient.json(get).get("code").asInt()).isEqualTo(405);
        assertThat(api.send("PUT", "/api/v1/srs/register", SRS_IP_PORT).statusCode()).isEqualTo(405);
        assertThat(api.send("POST", "/api/v1/origins", "{}").statusCode()).isEqualTo(405);
        assertThat(api.send("GET", "/api/v1/origins/x", null).statusCode()).isEqualTo(405);
        assertThat(api.send("POST", "/healthz", "{}").statusCode()).isEqualTo(405);
        assertThat(api.get("/nope").statusCode()).isEqualTo(404);
        assertThat(api.origins()).isEmpty();
    }

    @Test
    void oversizedBodyGets413AndNothingRegisters() throws Exception {
        start("PROXY_SYSTEM_API_MAX_BODY", "2048");
        String big = SRS_IP_PORT.replace("\"pid\":\"14391\",", "\"pid\":\"14391\",\"pad\":\"" + "x".repeat(4000) + "\",");
        HttpResponse<String> r = api.register(big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(ApiClient.json(r).get("error").asText()).contains("PROXY_SYSTEM_API_MAX_BODY");
        assertThat(api.origins()).isEmpty();
        assertThat(api.register(SRS_IP_PORT).statusCode()).isEqualTo(200);
    }

    @Test
    void bearerTokenGuardsRegisterAndDeregisterOnly() throws Exception {
        start("PROXY_SYSTEM_API_TOKEN", "s3cret-token");
        HttpResponse<String> none = api.register(SRS_IP_PORT);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(api.withToken("wrong").register(SRS_IP_PORT).statusCode()).isEqualTo(401);
        assertThat(api.origins()).isEmpty();

        ApiClient authed = api.withToken("s3cret-token");
        assertThat(authed.register(SRS_IP_PORT).statusCode()).isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/origins/" + ID_IP_PORT, null).statusCode()).isEqualTo(401);
        assertThat(api.send("DELETE", "/api/v1/srs/register", SRS_IP_PORT).statusCode()).isEqualTo(401);
        assertThat(api.origin(ID_IP_PORT)).isNotNull();
        assertThat(authed.send("DELETE", "/api/v1/origins/" + ID_IP_PORT, null).statusCode()).isEqualTo(200);
        assertThat(api.origin(ID_IP_PORT)).isNull();
    }

    @Test
    void anOriginLeavesAtOnceByBodyOrById() throws Exception {
        start();
        api.register(SRS_IP_PORT);
        api.register(SRS_BARE_PORT);
        StreamKey key = StreamKey.of("", "live", "livestream");
        dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS);
        String pinnedTo = dataplane.store().pinned(key.toString()).toCompletableFuture().get().orElseThrow().id();

        HttpResponse<String> byBody = api.send("DELETE", "/api/v1/srs/register",
                pinnedTo.equals(ID_IP_PORT) ? SRS_IP_PORT : SRS_BARE_PORT);
        assertThat(byBody.statusCode()).as(byBody.body()).isEqualTo(200);
        assertThat(ApiClient.json(byBody).get("removed").asBoolean()).isTrue();
        assertThat(api.origin(pinnedTo)).isNull();
        // the stream's pin went with its origin; the next route lands on the one left
        String other = pinnedTo.equals(ID_IP_PORT) ? ID_BARE_PORT : ID_IP_PORT;
        assertThat(dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS)
                .backend().id()).isEqualTo(other);

        assertThat(api.send("DELETE", "/api/v1/origins/" + other, null).statusCode()).isEqualTo(200);
        assertThat(api.origins()).isEmpty();
        HttpResponse<String> again = api.send("DELETE", "/api/v1/origins/" + other, null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(ApiClient.json(again).get("error").asText()).contains(other);
    }

    @Test
    void drainStopsNewPinsAndUndrainRestoresThem() throws Exception {
        start("PROXY_SYSTEM_API_TOKEN", "s3cret-token");
        ApiClient authed = api.withToken("s3cret-token");
        authed.register(SRS_IP_PORT);
        authed.register(SRS_BARE_PORT);
        assertThat(api.send("POST", "/api/v1/origins/" + ID_IP_PORT + "/drain", null).statusCode()).isEqualTo(401);
        HttpResponse<String> drained = authed.send("POST", "/api/v1/origins/" + ID_IP_PORT + "/drain", null);
        assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);
        JsonNode body = ApiClient.json(drained);
        assertThat(body.get("draining").asBoolean()).isTrue();
        assertThat(body.get("sessions").asInt()).isZero();
        assertThat(api.origin(ID_IP_PORT).get("draining").asBoolean()).isTrue();
        assertThat(api.origin(ID_IP_PORT).get("sessions").asInt()).isZero();
        for (int i = 0; i < 20; i++) {
            StreamKey key = StreamKey.of("", "live", "s" + i);
            assertThat(dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS)
                    .backend().id()).as("a draining origin gets no new streams").isEqualTo(ID_BARE_PORT);
        }
        assertThat(authed.send("DELETE", "/api/v1/origins/" + ID_IP_PORT + "/drain", null).statusCode())
                .isEqualTo(200);
        assertThat(api.origin(ID_IP_PORT).get("draining").asBoolean()).isFalse();
        assertThat(authed.send("POST", "/api/v1/origins/nobody/drain", null).statusCode()).isEqualTo(404);
        HttpResponse<String> wrong = authed.send("GET", "/api/v1/origins/" + ID_IP_PORT + "/drain", null);
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).contains("POST, DELETE");
    }

    @Test
    void unpinForgetsAPinSoTheNextSessionIsPlacedAnew() throws Exception {
        start("PROXY_SYSTEM_API_TOKEN", "s3cret-token");
        ApiClient authed = api.withToken("s3cret-token");
        authed.register(SRS_IP_PORT);
        StreamKey key = StreamKey.of("", "live", "pinned");
        dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS);
        String path = "/api/v1/streams/__defaultVhost__/live/pinned";
        assertThat(api.send("DELETE", path, null).statusCode()).as("no token").isEqualTo(401);
        assertThat(dataplane.store().pinned(key.toString()).toCompletableFuture().join()).isPresent();

        // a second origin, the first drained: the next pin goes to the second
        authed.register(SRS_BARE_PORT);
        authed.send("POST", "/api/v1/origins/" + ID_IP_PORT + "/drain", null);
        HttpResponse<String> unpinned = authed.send("DELETE", path, null);
        assertThat(unpinned.statusCode()).as(unpinned.body()).isEqualTo(200);
        assertThat(ApiClient.json(unpinned).get("unpinned").asText()).isEqualTo(ID_IP_PORT);
        assertThat(dataplane.store().pinned(key.toString()).toCompletableFuture().join()).isEmpty();
        assertThat(dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS)
                .backend().id()).isEqualTo(ID_BARE_PORT);

        assertThat(authed.send("DELETE", "/api/v1/streams/__defaultVhost__/live/never", null).statusCode())
                .isEqualTo(404);
        assertThat(authed.send("DELETE", "/api/v1/streams/only-one-part", null).statusCode()).isEqualTo(400);
        assertThat(authed.send("GET", path, null).statusCode()).isEqualTo(405);
    }

    @Test
    void streamsListShowsPinsAndOriginsCountThem() throws Exception {
        start();
        api.register(SRS_IP_PORT);
        StreamKey key = StreamKey.of("", "live", "livestream");
        dataplane.routing().route(key, Protocol.RTMP).toCompletableFuture().get(2, TimeUnit.SECONDS);
        JsonNode streams = ApiClient.json(api.get("/api/v1/streams")).get("streams");
        assertThat(streams).hasSize(1);
        assertThat(streams.get(0).get("key").asText()).isEqualTo("__defaultVhost__/live/livestream");
        assertThat(streams.get(0).get("origin").asText()).isEqualTo(ID_IP_PORT);
        assertThat(api.origin(ID_IP_PORT).get("pinnedStreams").asLong()).isEqualTo(1);
    }

    @Test
    void healthReadinessAndVersions() throws Exception {
        start();
        HttpResponse<String> health = api.get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(health).get("status").asText()).isEqualTo("up");
        HttpResponse<String> ready = api.get("/readyz");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ApiClient.json(ready).get("status").asText()).isEqualTo("ready");
        JsonNode v = ApiClient.json(api.get("/api/v1/versions"));
        assertThat(v.get("signature").asText()).isEqualTo("OriginCluster");
        assertThat(v.get("version").asText()).isEqualTo("0.1.0");
        assertThat(v.get("data").get("major").asInt()).isZero();
        assertThat(v.get("ioTransport").asText()).as("the transport this proxy runs on")
                .isEqualTo(dataplane.transports().transport().label());
    }

    @Test
    void readinessReportsAnUnreachableStoreAsDegradedButStaysReadyAndRegistrationsAreHeld() throws Exception {
        // a Redis store whose server is gone: healthz and readyz stay 200 (no restart storm), the body says why
        RedisServer redis = RedisServer.start();
        int port = redis.port();
        try {
            start("PROXY_LOAD_BALANCER_TYPE", "redis", "PROXY_REDIS_URL", redis.uri());
            HttpResponse<String> ok = api.get("/readyz");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ApiClient.json(ok).get("store").asText()).isEqualTo("ok");
        } finally {
            redis.close();
        }
        HttpResponse<String> ready = api.get("/readyz");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ApiClient.json(ready).get("status").asText()).isEqualTo("ready");
        assertThat(ApiClient.json(ready).get("store").asText()).isEqualTo("degraded");
        assertThat(ApiClient.json(ready).get("storeError").asText()).contains("state store");
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);

        // a heartbeat during the outage is accepted, held, and written once Redis is back (here: empty)
        HttpResponse<String> held = api.register(SRS_IP_PORT);
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        assertThat(ApiClient.json(held).get("held").asBoolean()).isTrue();
        assertThat(ApiClient.json(api.get("/readyz")).get("heldRegistrations").asInt()).isEqualTo(1);
        try (RedisServer back = RedisServer.start(port)) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> "ok".equals(ApiClient.json(api.get("/readyz")).path("store").asText()));
            assertThat(dataplane.store().liveBackends().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .extracting(b -> b.id()).containsExactly("vid-8l502g3-81c38de7-14391");
            dataplane.close();
            dataplane = null;
        }
    }

    @Test
    void metricsCountRegistrationsOriginsAndPins() throws Exception {
        start();
        api.register(SRS_IP_PORT);
        api.register(SRS_BARE_PORT);
        api.register("{");
        dataplane.routing().route(StreamKey.of("", "live", "a"), Protocol.RTMP).toCompletableFuture().get();
        HttpResponse<String> r = api.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("origincluster_register_requests_total{operation=\"register\",result=\"ok\"} 2.0")
                .contains("origincluster_register_requests_total{operation=\"register\",result=\"invalid\"} 1.0")
                .contains("origincluster_origins_registered 2.0")
                .contains("origincluster_streams_pinned 1.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void manualRegistrationsLapseAfterTheTtl() throws Exception {
        start("PROXY_REGISTER_TTL", "1s");
        api.register(SRS_IP_PORT);
        assertThat(api.origin(ID_IP_PORT).get("expiresInMs").asLong()).isLessThanOrEqualTo(1000);
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.origins().isEmpty());
        // a heartbeat brings it back
        api.register(SRS_IP_PORT);
        assertThat(api.origin(ID_IP_PORT)).isNotNull();
    }

    @Test
    void defaultBackendIsRegisteredAndNeverLapses() throws Exception {
        start("PROXY_DEFAULT_BACKEND_ENABLED", "on", "PROXY_DEFAULT_BACKEND_IP", "10.1.2.3",
                "PROXY_DEFAULT_BACKEND_RTMP", "19350", "PROXY_REGISTER_TTL", "1s");
        JsonNode d = api.origin("default-10.1.2.3-19350");
        assertThat(d).as("origins: %s", api.origins()).isNotNull();
        assertThat(d.get("source").asText()).isEqualTo("default");
        assertThat(d.get("dial").get("rtmp").asText()).isEqualTo("tcp://10.1.2.3:19350");
        assertThat(d.get("dial").get("http").asText()).isEqualTo("tcp://10.1.2.3:8080");
        assertThat(d.get("dial").get("srt").asText()).isEqualTo("udp://10.1.2.3:10080");
        // two leases later it is still there, refreshed every third of the lease
        Thread.sleep(2_200);
        JsonNode later = api.origin("default-10.1.2.3-19350");
        assertThat(later).isNotNull();
        assertThat(later.get("expiresInMs").asLong()).isBetween(1L, 1000L);
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start("PROXY_SYSTEM_API_IDLE_TIMEOUT", "300ms");
        try (Socket s = new Socket("127.0.0.1", dataplane.port("system-api"))) {
            s.setSoTimeout(3000);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndGarbageGets400() throws Exception {
        start();
        byte[] body = SRS_IP_PORT.getBytes(StandardCharsets.UTF_8);
        String two = "POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n" + SRS_IP_PORT
                + "GET /api/v1/origins HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        String replies = exchange(two);
        int first = replies.indexOf("\"pid\"");
        int second = replies.indexOf("\"origins\"");
        assertThat(first).as(replies).isPositive();
        assertThat(second).as(replies).isGreaterThan(first);
        assertThat(replies.substring(second)).contains(ID_IP_PORT);

        String garbage = exchange("\u0001\u0002 NOT HTTP\r\n\r\n");
        assertThat(garbage).startsWith("HTTP/1.1 400");
    }

    @Test
    void registrationWithRedisIsVisibleToAnotherStoreOnTheSameRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            start("PROXY_LOAD_BALANCER_TYPE", "redis", "PROXY_REDIS_URL", redis.uri(),
                    "PROXY_CLUSTER_ID", "sysapi-test");
            for (String body : List.of(SRS_IP_PORT, SRS_BARE_PORT)) {
                HttpResponse<String> r = api.register(body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(ApiClient.json(r).get("code").asInt()).isZero();
            }
            HttpResponse<String> bad = api.register("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":1}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(ApiClient.json(bad).get("error").asText()).contains("pid");

            try (StateStore second = RedisStateStore.connect(redis.uri(), "sysapi-test",
                    PlacementPolicy.named("least-pinned"))) {
                Optional<Backend> a = second.backend(ID_IP_PORT).toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(a).isPresent();
                assertThat(a.get().ip()).isEqualTo("127.0.0.1");
                assertThat(a.get().labels()).containsEntry("device_id", "origin1");
                assertThat(a.get().endpoint(Protocol.RTMP)).contains(new Endpoint("tcp", "127.0.0.1", 19351));
                assertThat(a.get().endpoint(Protocol.SRT)).contains(new Endpoint("udp", null, 10081));
                Optional<Backend> b = second.backend(ID_BARE_PORT).toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(b).isPresent();
                assertThat(b.get().endpoint(Protocol.RTMP)).contains(new Endpoint("tcp", null, 19351));
                assertThat(second.liveBackends().toCompletableFuture().get(5, TimeUnit.SECONDS))
                        .extracting(Backend::id).containsExactlyInAnyOrder(ID_IP_PORT, ID_BARE_PORT);

                // leaving through the API removes it for every proxy
                assertThat(api.send("DELETE", "/api/v1/origins/" + ID_IP_PORT, null).statusCode()).isEqualTo(200);
                assertThat(second.backend(ID_IP_PORT).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
            }
        }
    }

    private String exchange(String raw) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dataplane.port("system-api"))) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
            }
            return buf.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array).as("endpoint list").isNotNull();
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

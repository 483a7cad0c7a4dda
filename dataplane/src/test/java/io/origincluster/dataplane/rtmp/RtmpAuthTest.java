package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.StreamTokens;
import io.origincluster.dataplane.metrics.Scrape;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code PROXY_AUTH=token} with real clients: ffmpeg publishing and ffprobe playing RTMP, HTTP players of HLS
 * and HTTP-FLV, against a real nginx-rtmp origin; tokens minted by the system API and by the secret directly.
 */
class RtmpAuthTest {

    private static final String SECRET = "rtmp-auth-test-secret-0123";
    private static final String API_TOKEN = "system-api-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StreamTokens TOKENS = new StreamTokens(SECRET);

    private static NginxRtmpOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = NginxRtmpOrigin.start();
        proxy = RtmpProxyHarness.start(Map.of("PROXY_AUTH", "token", "PROXY_AUTH_SECRET", SECRET,
                "PROXY_SYSTEM_API_TOKEN", API_TOKEN));
        register(proxy.store(), "origin-0", origin);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static String token(Action a, String stream) {
        return TOKENS.mint(a, stream, Duration.ofMinutes(10), Instant.now());
    }

    /** Runs a client that the proxy must refuse: it exits on its own, non-zero, with the proxy's reason. */
    private static String refused(String name, List<String> command) {
        try (Proc p = Proc.start(name, command)) {
            int rc = p.waitFor(20);
            assertThat(rc).as("%s exit code; output: %s", name, p.output()).isNotIn(0, -1);
            return p.output();
        }
    }

    private static List<String> publishCommand(String url) {
        return List.of("ffmpeg", "-v", "error", "-re", "-i", io.origincluster.dataplane.testpeers.TestMedia.flv()
                .toString(), "-c", "copy", "-f", "flv", url);
    }

    @Test
    void rtmpPublishNeedsAPublishTokenForItsStream() {
        String noToken = refused("ffmpeg-no-token", publishCommand(url(proxy, "cam1")));
        assertThat(noToken).contains("access denied: a token is required");
        String playToken = refused("ffmpeg-play-token",
                publishCommand(url(proxy, "cam1?token=" + token(Action.PLAY, "live/cam1"))));
        assertThat(playToken).contains("access denied: token is for play");
        String otherStream = refused("ffmpeg-other-stream",
                publishCommand(url(proxy, "cam1?token=" + token(Action.PUBLISH, "live/cam2"))));
        assertThat(otherStream).contains("does not cover");
        assertThat(origin.isPublishing("cam1")).isFalse();
        assertThat(RtmpProxyHarness.pinnedBackend(proxy.store(), "__defaultVhost__/live/cam1"))
                .as("a refused session never reaches the routing core").isEmpty();

        try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "cam1?token=" + token(Action.PUBLISH, "live/cam1")))) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("cam1"));
            // playing needs a play token too
            try (Proc probe = Proc.start("ffprobe-no-token", List.of("ffprobe", "-v", "error", "-rw_timeout",
                    "5000000", url(proxy, "cam1")))) {
                assertThat(probe.waitFor(20)).as(probe.output()).isNotIn(0, -1);
                assertThat(probe.output()).contains("access denied");
            }
            int frames = Ffmpeg.countVideoFrames(url(proxy, "cam1?token=" + token(Action.PLAY, "live/*")), 2, 20);
            assertThat(frames).as("frames with a prefix play token; publisher: %s", pub.output()).isGreaterThan(20);
        }
        Scrape s = Scrape.of(proxy.port("system-api"));
        assertThat(s.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "denied"))
                .isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void theSystemApiMintsTokensForCallersWithItsToken() throws Exception {
        String body = "{\"stream\":\"live/minted\",\"action\":\"publish\",\"ttl\":\"1h\"}";
        HttpResponse<String> anonymous = post("/api/v1/tokens", body, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> bad = post("/api/v1/tokens", "{\"stream\":\"live/x\",\"action\":\"watch\"}", API_TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("action");
        HttpResponse<String> tooLong = post("/api/v1/tokens", "{\"stream\":\"live/x\",\"action\":\"play\","
                + "\"ttl\":\"9000h\"}", API_TOKEN);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        HttpResponse<String> r = post("/api/v1/tokens", body, API_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode reply = JSON.readTree(r.body());
        assertThat(reply.path("code").asInt()).isZero();
        String minted = reply.path("token").asText();
        try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "minted?token=" + minted))) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("minted"));
        }
    }

    @Test
    void httpPlayersNeedAPlayTokenOnTheStreamUrl() throws Exception {
        int port = proxy.port("http-stream");
        HttpResponse<String> none = get("http://127.0.0.1:" + port + "/live/hls1.m3u8");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(none.body()).path("code").asInt()).isEqualTo(401);
        HttpResponse<String> wrong = get("http://127.0.0.1:" + port + "/live/hls1.flv?token="
                + token(Action.PUBLISH, "live/hls1"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(wrong.body()).path("error").asText()).contains("token is for publish");
        assertThat(get("http://127.0.0.1:" + port + "/live/hls1.ts?token=nonsense").statusCode()).isEqualTo(403);

        try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "hls1?token=" + token(Action.PUBLISH, "live/hls1")))) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("hls1"));
            String playlist = "http://127.0.0.1:" + port + "/live/hls1.m3u8?token=" + token(Action.PLAY, "live/hls1");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(playlist).statusCode() == 200);
            HttpResponse<String> ok = get(playlist);
            assertThat(ok.body()).contains("#EXTM3U").contains("oc_hls_token=");
            // segments go by their signed segment URIs, with no stream token of their own
            int frames = Ffmpeg.countVideoFrames(playlist, 1, 30);
            assertThat(frames).as("HLS frames through the proxy").isGreaterThan(10);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port("system-api")
                + path)).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.origincluster.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.HeadlessChromium;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The web console at {@code /console/} in headless Chromium, against a running proxy with a token: a real
 * nginx-rtmp origin with a stream ffmpeg publishes through the proxy, and an SRS-emulating origin API reporting
 * a stream whose bitrate changes. The page must load without console errors, list both origins and both streams,
 * refuse a drain without the token (and say so), and drain and undrain an origin once the token is entered.
 */
class ConsoleBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String TOKEN = "console-test-token";
    private static final String PUBLISHED = "__defaultVhost__/live/cam";
    private static final String REPORTED = "__defaultVhost__/live/studio";

    private Dataplane proxy;
    private NginxRtmpOrigin nginx;
    private SrsApiOrigin srs;
    private Proc publisher;
    private Proc player;
    private HeadlessChromium browser;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "127.0.0.1:0"));
        env.put("PROXY_CLUSTER_POLL_INTERVAL", "500ms");
        env.put("PROXY_CLUSTER_POLL_TIMEOUT", "400ms");
        env.put("PROXY_SYSTEM_API_TOKEN", TOKEN);
        env.put("PROXY_METRICS_PER_STREAM", "on");
        proxy = new Dataplane(ProxyConfig.from(env)).start();
        nginx = NginxRtmpOrigin.start();
        assertThat(post("/api/v1/srs/register", nginx.registerBody("nginx-a")).statusCode()).isEqualTo(200);
        // an SRS origin's API with one busy stream; its RTMP port refuses, so the published stream goes to nginx
        srs = new SrsApiOrigin("vid-console", "srs1", "4242");
        srs.add(new SrsApiOrigin.Stream("studio", "live", true, 3, 2400, 7100));
        int[] tick = {0};
        ticker.scheduleAtFixedRate(() -> {
            int t = tick[0]++;
            srs.replace(0, new SrsApiOrigin.Stream("studio", "live", true, 3 + t % 4, 2400 + (t * 370) % 900,
                    7100 + (t * 530) % 2100));
        }, 0, 300, TimeUnit.MILLISECONDS);
        assertThat(post("/api/v1/srs/register", srs.registerBody(closedPort())).statusCode()).isEqualTo(200);
        publisher = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/cam");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> nginx.isPublishing("cam"));
        player = Proc.start("ffmpeg-play", java.util.List.of("ffmpeg", "-v", "error", "-i",
                "rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/cam", "-f", "null", "-"));
        browser = HeadlessChromium.start();
    }

    @AfterEach
    void stop() throws Exception {
        ticker.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {browser, player, publisher, proxy, srs, nginx}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the others are still closed
            }
        }
    }

    @Test
    void showsOriginsAndStreamsAndDrainsWithTheToken() throws Exception {
        String nginxId = originId("nginx-a");
        browser.open(base() + "/console/?refresh=1000");
        awaitRow("#origins", "data-origin", nginxId);
        awaitRow("#origins", "data-origin", srs.id());
        awaitRow("#streams", "data-key", PUBLISHED);
        awaitRow("#streams", "data-key", REPORTED);
        assertThat((String) browser.js("return document.querySelector(arguments[0]).textContent;",
                "#streams tbody tr[data-key=\"" + REPORTED + "\"]")).contains(srs.id()).contains("H264");
        assertThat(state(nginxId)).isEqualTo("alive");
        // nginx-rtmp has no API: what this proxy relays stands in (its sessions by protocol, its bitrate)
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            String cam = (String) browser.js("return document.querySelector(arguments[0]).textContent;",
                    "#streams tbody tr[data-key=\"" + PUBLISHED + "\"]");
            return cam.contains("rtmp 2 (1 publishing, 1 playing)") && cam.contains("(here)");
        });
        // a few refreshes, so the bitrate charts have a line, then the picture the docs show
        Thread.sleep(8_000);
        browser.windowSize(1600, 700);
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("console.png"));
        assertThat(browser.consoleErrors()).as("console errors").isEmpty();

        // no token: the proxy refuses and the page says why; nothing drains
        clickDrainButton(srs.id(), "Drain");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                browser.driver().findElement(By.id("message")).getText().contains("API token"));
        assertThat(origin(srs.id()).get("draining").asBoolean()).isFalse();

        browser.driver().findElement(By.id("token")).sendKeys(TOKEN);
        browser.driver().findElement(By.id("token-save")).click();
        clickDrainButton(srs.id(), "Drain");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> origin(srs.id()).get("draining").asBoolean());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                "draining".equals(state(srs.id())));
        assertThat(origin(nginxId).get("draining").asBoolean()).isFalse();
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("console-draining.png"));

        clickDrainButton(srs.id(), "Undrain");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !origin(srs.id()).get("draining").asBoolean());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                "alive".equals(state(srs.id())));

        // unpin the stream published through the proxy: its live sessions stay, the pin is gone
        assertThat(proxy.store().pinned(PUBLISHED).toCompletableFuture().join()).isPresent();
        Object clicked = browser.js("const b = document.querySelector(arguments[0]);"
                + " if (!b) { return null; } const t = b.textContent; b.click(); return t;",
                "#streams tbody tr[data-key=\"" + PUBLISHED + "\"] button");
        assertThat(clicked).isEqualTo("Unpin");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                browser.driver().findElement(By.id("message")).getText().contains("no longer pinned"));
        assertThat(proxy.store().pinned(PUBLISHED).toCompletableFuture().join()).isEmpty();
        assertThat(browser.consoleErrors()).as("console errors").allMatch(m -> m.contains("401"));
    }

    @Test
    void consoleFilesAreServedAndUnknownOnesAre404() throws Exception {
        HttpResponse<String> page = get("/console/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy").orElse("")).contains("default-src 'self'");
        assertThat(page.body()).contains("<script src=\"console.js\"");
        assertThat(get("/console/console.js").headers().firstValue("content-type"))
                .hasValue("text/javascript; charset=utf-8");
        HttpResponse<String> bare = get("/console");
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("location")).hasValue("/console/");
        assertThat(get("/console/../metrics").statusCode()).isIn(404, 400);
        assertThat(get("/console/nothing.js").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/console/").statusCode()).isEqualTo(405);
    }

    private void awaitRow(String table, String attribute, String value) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> !browser.driver().findElements(selector(table, attribute, value)).isEmpty());
    }

    private static By selector(String table, String attribute, String value) {
        return By.cssSelector(table + " tbody tr[" + attribute + "=\"" + value + "\"]");
    }

    /** The table is rebuilt every refresh: read and click in the page itself, where nothing can go stale. */
    private String state(String origin) {
        return (String) browser.js("const r = document.querySelector(arguments[0]);"
                + " return r ? r.dataset.state : null;", originRow(origin));
    }

    private void clickDrainButton(String origin, String label) {
        Object clicked = browser.js("const b = document.querySelector(arguments[0]);"
                + " if (!b) { return null; } const t = b.textContent; b.click(); return t;", originRow(origin) + " button");
        assertThat(clicked).as("button of " + origin).isEqualTo(label);
    }

    private static String originRow(String origin) {
        return "#origins tbody tr[data-origin=\"" + origin + "\"]";
    }

    private String originId(String server) throws Exception {
        for (JsonNode o : JSON.readTree(get("/api/v1/origins").body()).get("origins")) {
            if (o.get("id").asText().startsWith(server + "-")) {
                return o.get("id").asText();
            }
        }
        throw new AssertionError("no origin of server " + server);
    }

    private JsonNode origin(String id) throws Exception {
        for (JsonNode o : JSON.readTree(get("/api/v1/origins").body()).get("origins")) {
            if (o.get("id").asText().equals(id)) {
                return o;
            }
        }
        throw new AssertionError("no origin " + id);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
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
}

package io.origincluster.dataplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exporter against real peers: ffmpeg publishes and ffprobe plays through the proxy to a real nginx-rtmp origin,
 * an HLS playlist is fetched through the HTTP listener, an origin that refuses connections is tried; then
 * {@code /metrics} is scraped over HTTP and the per-protocol, per-origin and state store meters are read back.
 */
class MetricsExporterTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private NginxRtmpOrigin origin;
    private Dataplane proxy;

    @BeforeEach
    void start() throws Exception {
        origin = NginxRtmpOrigin.start();
        proxy = new Dataplane(ProxyConfig.from(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0", "PROXY_SYSTEM_API", "127.0.0.1:0",
                "PROXY_CONNECT_TIMEOUT", "1s", "PROXY_RTMP_HANDSHAKE_TIMEOUT", "3s"))).start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void sessionsDialsBytesAndOriginsAreExportedAfterRealSessions() throws Exception {
        int sys = proxy.port("system-api");
        // 1. the only origin refuses connections: the session fails as origin_refused, the dial failure is counted
        register("dead", Ports.freeTcp(), Ports.freeTcp());
        assertThat(Ffmpeg.countVideoFrames(rtmp("refused"), 1, 15)).isZero();
        Scrape afterRefusal = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtmp",
                "result", "origin_refused") >= 1);
        assertThat(afterRefusal.sum("origincluster_origin_dial_failures_total", "origin", "dead")).isGreaterThanOrEqualTo(1);
        assertThat(afterRefusal.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "no_route")).isZero();

        // 2. the dead origin leaves: its per-origin meters go with it
        join(proxy.store().deregister("dead"));
        awaitScrape(s -> !s.has("origincluster_origin_dial_failures_total", "origin", "dead")
                && !s.has("origincluster_origin_pinned_streams", "origin", "dead"));

        // 3. a real origin: publish and play through the proxy
        register("nginx", origin.rtmpPort(), origin.httpPort());
        try (Proc pub = Ffmpeg.publishRtmp(rtmp("m1"))) {
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> Files.exists(origin.hlsDir().resolve("m1.m3u8")));
            Scrape live = awaitScrape(s -> s.sum("origincluster_relayed_bytes_total", "protocol", "rtmp",
                    "direction", "client_to_origin") > 50_000);
            assertThat(live.sum("origincluster_sessions_active", "protocol", "rtmp")).isEqualTo(1);
            assertThat(live.sum("origincluster_origin_sessions", "origin", "nginx")).isEqualTo(1);
            assertThat(live.sum("origincluster_origin_pinned_streams", "origin", "nginx")).isEqualTo(1);
            assertThat(live.sum("origincluster_origin_dial_seconds_count", "protocol", "rtmp")).isGreaterThanOrEqualTo(1);
            assertThat(live.sum("origincluster_route_lookup_seconds_count", "protocol", "rtmp")).isGreaterThanOrEqualTo(2);

            int frames = Ffmpeg.countVideoFrames(rtmp("m1"), 2, 20);
            assertThat(frames).as("frames via proxy; publisher: %s", pub.output()).isGreaterThan(10);

            // an HLS playlist through the HTTP listener is one HTTP session with bytes to the client
            HttpResponse<String> pl = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + proxy.port("http-stream") + "/live/m1.m3u8")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(pl.statusCode()).isEqualTo(200);
            // and one of its segments (signed URI, relayed as a plain stream) is another
            String segment = pl.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .reduce((x, y) -> y).orElseThrow();
            HttpResponse<byte[]> seg = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + proxy.port("http-stream") + "/live/" + segment)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(seg.statusCode()).as(segment).isEqualTo(200);
            assertThat(seg.body().length).isGreaterThan(188);
            Scrape played = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "ok") >= 1
                    && s.sum("origincluster_sessions_total", "protocol", "http", "result", "ok") >= 2);
            assertThat(played.sum("origincluster_sessions_total", "protocol", "http", "result", "abandoned")).isZero();
            assertThat(played.sum("origincluster_relayed_bytes_total", "protocol", "rtmp", "direction",
                    "origin_to_client")).isGreaterThan(10_000);
            assertThat(played.sum("origincluster_relayed_bytes_total", "protocol", "http", "direction",
                    "origin_to_client")).isGreaterThanOrEqualTo(pl.body().length() + seg.body().length);
            assertThat(played.sum("origincluster_origin_dial_seconds_count", "protocol", "http")).isGreaterThanOrEqualTo(1);
            assertThat(played.sum("origincluster_sessions_active", "protocol", "rtmp")).isEqualTo(1);
            assertThat(played.sum("origincluster_sessions_active", "protocol", "http")).isZero();
            assertThat(played.sum("origincluster_state_store_call_seconds_count", "operation", "pin"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(played.has("origincluster_state_store_errors_total", "operation", "pin")).isTrue();
        }
        Scrape ended = awaitScrape(s -> s.sum("origincluster_sessions_active", "protocol", "rtmp") == 0);
        assertThat(ended.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "ok")).isGreaterThanOrEqualTo(2);
        assertThat(ended.sum("origincluster_origin_sessions", "origin", "nginx")).isZero();

        // 4. no origin at all: no_route
        join(proxy.store().deregister("nginx"));
        assertThat(Ffmpeg.countVideoFrames(rtmp("nowhere"), 1, 15)).isZero();
        Scrape empty = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "no_route") >= 1);
        assertThat(empty.has("origincluster_origin_sessions", "origin", "nginx")).isFalse();
        assertThat(empty.sum("origincluster_failovers_total", "protocol", "rtmp")).isZero();
        assertThat(proxy.metrics().sessions().originEntries()).isZero();
        assertThat(sys).isPositive();
    }

    @Test
    void aConnectThatFailsOverCountsTheFailoverAndTheDeadOriginsDialFailure() throws Exception {
        // two origins, one dead: whichever the placement picks first, the stream ends up on the live one
        register("dead", Ports.freeTcp(), Ports.freeTcp());
        register("nginx", origin.rtmpPort(), origin.httpPort());
        for (int i = 0; i < 6; i++) {
            try (Proc pub = Ffmpeg.publishRtmp(rtmp("fo" + i))) {
                String stream = "fo" + i;
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> Files.exists(origin.hlsDir().resolve(stream + ".m3u8")));
            }
            if (Scrape.of(proxy.port("system-api")).sum("origincluster_failovers_total", "protocol", "rtmp") > 0) {
                break;
            }
        }
        Scrape s = Scrape.of(proxy.port("system-api"));
        double failovers = s.sum("origincluster_failovers_total", "protocol", "rtmp");
        assertThat(failovers).as("six new streams over two origins never tried the dead one first").isPositive();
        assertThat(s.sum("origincluster_origin_dial_failures_total", "origin", "dead")).isEqualTo(failovers);
        assertThat(s.has("origincluster_origin_dial_failures_total", "origin", "nginx")).isFalse();
        assertThat(s.sum("origincluster_sessions_total", "protocol", "rtmp", "result", "origin_refused")).isZero();
    }

    @Test
    void everyExportedNameFollowsPrometheusConventions() {
        Scrape s = Scrape.of(proxy.port("system-api"));
        s.types().forEach((name, type) -> {
            if (!name.startsWith("origincluster_")) {
                return;
            }
            if (type.equals("counter")) {
                assertThat(name).as("counter name").endsWith("_total");
            }
            if (type.equals("histogram")) {
                assertThat(name).as("histogram unit").endsWith("_seconds");
            }
        });
        for (String protocol : List.of("rtmp", "http", "webrtc", "srt", "rtsp")) {
            for (String result : List.of("ok", "no_route", "origin_refused", "client_error", "abandoned",
                    "proxy_error", "denied")) {
                assertThat(s.has("origincluster_sessions_total", "protocol", protocol, "result", result))
                        .as(protocol + " " + result).isTrue();
            }
            assertThat(s.has("origincluster_relayed_bytes_total", "protocol", protocol, "direction",
                    "client_to_origin")).isTrue();
            assertThat(s.has("origincluster_origin_dial_seconds_bucket", "protocol", protocol)).isTrue();
            assertThat(s.has("origincluster_route_lookup_seconds_bucket", "protocol", protocol)).isTrue();
            assertThat(s.has("origincluster_failovers_total", "protocol", protocol)).isTrue();
        }
        assertThat(s.has("origincluster_io_transport_info", "transport", proxy.transports().transport().label()))
                .as("the transport in use as a label").isTrue();
    }

    private void register(String id, int rtmpPort, int httpPort) {
        Backend b = Backend.of(id, "127.0.0.1", Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("127.0.0.1:" + rtmpPort, "tcp")),
                Protocol.HTTP, List.of(Endpoint.parse(String.valueOf(httpPort), "tcp"))), BackendSource.REGISTER);
        join(proxy.store().register(b, Duration.ofMinutes(5)));
    }

    private String rtmp(String stream) {
        return "rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/" + stream;
    }

    private Scrape awaitScrape(java.util.function.Predicate<Scrape> ok) {
        Scrape[] last = new Scrape[1];
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                last[0] = Scrape.of(proxy.port("system-api"));
                return ok.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("scrape never matched; last one:\n" + (last[0] == null ? "none"
                    : grep(last[0].text())), e);
        }
        return last[0];
    }

    private static String grep(String text) {
        return text.lines().filter(l -> l.startsWith("origincluster_") && !l.contains("_bucket"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

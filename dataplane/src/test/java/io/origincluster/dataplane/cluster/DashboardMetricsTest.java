package io.origincluster.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.metrics.Scrape;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every metric the chart's Grafana dashboard queries exists in a real scrape of a proxy that has seen what the
 * panels show: a refused dial (an SRS-like origin whose RTMP port is closed, whose API the poller reads), an RTMP
 * stream ffmpeg publishes through the proxy to nginx-rtmp (per-stream meters on), and a drain that moves the
 * publisher to a second nginx-rtmp.
 */
class DashboardMetricsTest {

    static final Path DASHBOARD = Path.of("..", "charts", "origin-cluster", "dashboards", "origin-cluster.json");
    private static final Pattern METRIC = Pattern.compile("\\b(origincluster_[a-z0-9_]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<AutoCloseable> peers = new ArrayList<>();
    private Dataplane proxy;

    @AfterEach
    void stop() throws Exception {
        java.util.Collections.reverse(peers);
        for (AutoCloseable p : peers) {
            try {
                p.close();
            } catch (Exception ignored) {
                // the others are still closed
            }
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws Exception {
        TreeSet<String> queried = dashboardMetrics();
        assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(20);

        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "127.0.0.1:0"));
        env.put("PROXY_METRICS_PER_STREAM", "on");
        env.put("PROXY_CLUSTER_POLL_INTERVAL", "500ms");
        env.put("PROXY_CLUSTER_POLL_TIMEOUT", "400ms");
        env.put("PROXY_CONNECT_TIMEOUT", "1s");
        proxy = new Dataplane(ProxyConfig.from(env)).start();

        // an SRS origin's API (cpu, connections, bitrate for the poller) on an origin whose RTMP port refuses
        SrsApiOrigin srs = new SrsApiOrigin("vid-dash", "srs1", "77");
        peers.add(srs);
        srs.add(new SrsApiOrigin.Stream("studio", "live", true, 2, 900, 1800));
        register(srs.registerBody(Ports.freeTcp()));
        assertThat(Ffmpeg.countVideoFrames("rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/refused", 1, 15))
                .isZero();

        NginxRtmpOrigin a = NginxRtmpOrigin.start();
        peers.add(a);
        NginxRtmpOrigin b = NginxRtmpOrigin.start();
        peers.add(b);
        register(a.registerBody("nginx-a"));
        register(b.registerBody("nginx-b"));
        Proc publisher = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/cam");
        peers.add(publisher);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> a.isPublishing("cam") || b.isPublishing("cam"));
        String from = originId(a.isPublishing("cam") ? "nginx-a" : "nginx-b");
        assertThat(send("POST", "/api/v1/origins/" + from + "/drain").statusCode()).isEqualTo(200);

        Scrape[] last = new Scrape[1];
        try {
            Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() -> {
                last[0] = Scrape.of(proxy.port("system-api"));
                return queried.stream().allMatch(m -> last[0].has(m));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("queried by the dashboard but missing from the scrape: "
                    + queried.stream().filter(m -> !last[0].has(m)).toList(), e);
        }
        assertThat(last[0].sum("origincluster_session_moves_total", "reason", "drain")).isGreaterThanOrEqualTo(1);
    }

    /** The metric names in every panel query of the dashboard. */
    static TreeSet<String> dashboardMetrics() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode expr : dash.findValues("expr")) {
            Matcher m = METRIC.matcher(expr.asText());
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private String originId(String server) throws Exception {
        for (JsonNode o : new ObjectMapper().readTree(send("GET", "/api/v1/origins").body()).get("origins")) {
            if (o.get("id").asText().startsWith(server + "-")) {
                return o.get("id").asText();
            }
        }
        throw new AssertionError("no origin of server " + server);
    }

    private void register(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/srs/register"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String base() {
        return "http://127.0.0.1:" + proxy.port("system-api");
    }
}

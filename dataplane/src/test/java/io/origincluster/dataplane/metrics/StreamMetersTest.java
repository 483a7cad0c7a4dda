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
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-stream meters against real peers (ffmpeg publishing and playing over RTMP through the proxy to nginx-rtmp):
 * off by default; when on, each live stream's publishers, players and bytes each way, at most
 * {@code PROXY_METRICS_PER_STREAM_MAX} streams at once (the rest counted as refused), and a stream's series gone
 * when its last session ends.
 */
class StreamMetersTest {

    private static final String A = "__defaultVhost__/live/a";
    private static final String B = "__defaultVhost__/live/b";
    private static final String C = "__defaultVhost__/live/c";

    private NginxRtmpOrigin origin;
    private Dataplane proxy;
    private final List<Proc> publishers = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        publishers.forEach(Proc::close);
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void offByDefault() throws Exception {
        start(Map.of());
        publish("a");
        Scrape s = Scrape.of(proxy.port("system-api"));
        assertThat(s.sum("origincluster_sessions_active", "protocol", "rtmp")).isEqualTo(1);
        assertThat(s.text()).doesNotContain("origincluster_stream_players")
                .doesNotContain("origincluster_stream_relayed_bytes_total");
        assertThat(proxy.metrics().sessions().streams().size()).isZero();
    }

    @Test
    void boundedPerStreamSeriesThatGoWithTheStream() throws Exception {
        start(Map.of("PROXY_METRICS_PER_STREAM", "on", "PROXY_METRICS_PER_STREAM_MAX", "2"));
        Proc a = publish("a");
        publish("b");
        publish("c");
        Scrape s = awaitScrape(x -> x.sum("origincluster_stream_meters_refused_total") >= 1);
        assertThat(s.sum("origincluster_stream_publishers", "stream", A)).isEqualTo(1);
        assertThat(s.sum("origincluster_stream_publishers", "stream", B)).isEqualTo(1);
        assertThat(s.has("origincluster_stream_publishers", "stream", C)).isFalse();
        assertThat(s.sum("origincluster_stream_meters_refused_total")).isEqualTo(1);
        assertThat(s.sum("origincluster_stream_players", "stream", A)).isZero();
        // the publisher's bytes keep coming in: their rate is the stream's bitrate
        double before = s.sum("origincluster_stream_relayed_bytes_total", "stream", A, "direction", "client_to_origin");
        awaitScrape(x -> x.sum("origincluster_stream_relayed_bytes_total", "stream", A,
                "direction", "client_to_origin") > before + 10_000);

        // a player of a: counted while it plays, and the bytes it got
        Proc player = Proc.start("ffmpeg-play", List.of("ffmpeg", "-v", "error", "-i", rtmp("a"), "-f", "null", "-"));
        try {
            awaitScrape(x -> x.sum("origincluster_stream_players", "stream", A) == 1
                    && x.sum("origincluster_stream_relayed_bytes_total", "stream", A, "direction",
                    "origin_to_client") > 10_000);
        } finally {
            player.close();
        }
        awaitScrape(x -> x.sum("origincluster_stream_players", "stream", A) == 0);

        // the same figures as JSON for the console: GET /api/v1/proxy/streams
        com.fasterxml.jackson.databind.JsonNode view = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + proxy.port("system-api") + "/api/v1/proxy/streams"))
                        .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(view.get("enabled").asBoolean()).isTrue();
        assertThat(view.get("streams")).hasSize(2);
        com.fasterxml.jackson.databind.JsonNode first = view.get("streams").get(0);
        assertThat(first.get("key").asText()).isEqualTo(A);
        assertThat(first.get("publishers").asInt()).isEqualTo(1);
        assertThat(first.get("players").asInt()).isZero();
        assertThat(first.get("protocols").get("rtmp").asInt()).isEqualTo(1);
        assertThat(first.get("bytes").get("fromClients").asLong()).isGreaterThan(10_000);
        assertThat(first.get("bytes").get("toClients").asLong()).isGreaterThan(10_000);

        // a's publisher leaves: its series go, which frees room for a new stream
        a.close();
        awaitScrape(x -> !x.has("origincluster_stream_publishers", "stream", A)
                && !x.has("origincluster_stream_relayed_bytes_total", "stream", A));
        publish("d");
        awaitScrape(x -> x.sum("origincluster_stream_publishers", "stream", "__defaultVhost__/live/d") == 1);
        assertThat(proxy.metrics().sessions().streams().size()).isEqualTo(2);
    }

    private void start(Map<String, String> extra) throws Exception {
        origin = NginxRtmpOrigin.start();
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0", "PROXY_RTSP_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "127.0.0.1:0"));
        env.putAll(extra);
        proxy = new Dataplane(ProxyConfig.from(env)).start();
        Backend b = Backend.of("nginx", "127.0.0.1", Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("127.0.0.1:" + origin.rtmpPort(), "tcp"))),
                BackendSource.REGISTER);
        proxy.store().register(b, Duration.ofMinutes(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Proc publish(String stream) {
        Proc p = Ffmpeg.publishRtmp(rtmp(stream));
        publishers.add(p);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> origin.isPublishing(stream));
        return p;
    }

    private String rtmp(String stream) {
        return "rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/" + stream;
    }

    private Scrape awaitScrape(java.util.function.Predicate<Scrape> ok) {
        Scrape[] last = new Scrape[1];
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                last[0] = Scrape.of(proxy.port("system-api"));
                return ok.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("scrape never matched; stream series:\n" + (last[0] == null ? "none"
                    : last[0].text().lines().filter(l -> l.startsWith("origincluster_stream")).toList()), e);
        }
        return last[0];
    }
}

package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.metrics.Scrape;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RTSP reports through the same per-protocol meters as every other protocol: real sessions through the proxy (a
 * refused origin, ffprobe playing, ffmpeg publishing, no origin at all), then {@code /metrics} scraped over HTTP and
 * read back with {@code protocol="rtsp"}.
 */
class RtspMetricsTest {

    private GstRtspOrigin origin;
    private Dataplane proxy;

    @BeforeEach
    void start() throws Exception {
        origin = GstRtspOrigin.start(List.of("/live/cam1"), List.of("/live/pub"));
        proxy = RtspHarness.start(Map.of());
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
    void sessionsDialsAndBytesOfRtspAreExportedWithTheirProtocol() throws Exception {
        // 1. the only origin refuses connections
        register("dead", Ports.freeTcp());
        assertThat(describe("/live/cam1")).isEqualTo(503);
        Scrape refused = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtsp", "result",
                "origin_refused") >= 1);
        assertThat(refused.sum("origincluster_origin_dial_failures_total", "origin", "dead")).isGreaterThanOrEqualTo(1);
        assertThat(refused.sum("origincluster_sessions_total", "protocol", "rtsp", "result", "ok")).isZero();
        RtspHarness.join(proxy.store().deregister("dead"));

        // 2. a real origin: ffprobe plays through the proxy
        RtspHarness.register(proxy.store(), "gst-0", origin);
        int frames = Ffmpeg.countRtspVideoFrames(RtspHarness.url(proxy, "/live/cam1"), "tcp", 2, 30);
        assertThat(frames).isGreaterThan(20);
        Scrape played = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtsp", "result", "ok") >= 1
                && s.sum("origincluster_sessions_active", "protocol", "rtsp") == 0);
        assertThat(played.sum("origincluster_relayed_bytes_total", "protocol", "rtsp", "direction", "origin_to_client"))
                .as("two seconds of 300 kbit/s video").isGreaterThan(20_000);
        assertThat(played.sum("origincluster_origin_dial_seconds_count", "protocol", "rtsp")).isGreaterThanOrEqualTo(1);
        assertThat(played.sum("origincluster_route_lookup_seconds_count", "protocol", "rtsp")).isGreaterThanOrEqualTo(2);
        assertThat(played.sum("origincluster_sessions_total", "protocol", "rtsp", "result", "abandoned")).isZero();
        assertThat(played.sum("origincluster_sessions_total", "protocol", "rtmp")).as("counted as rtsp only").isZero();

        // 3. ffmpeg publishes through the proxy: bytes the other way, one live session on the origin
        try (Proc publisher = Ffmpeg.publishRtsp(RtspHarness.url(proxy, "/live/pub"))) {
            Scrape live = awaitScrape(s -> s.sum("origincluster_relayed_bytes_total", "protocol", "rtsp",
                    "direction", "client_to_origin") > 20_000);
            assertThat(live.sum("origincluster_sessions_active", "protocol", "rtsp")).isEqualTo(1);
            assertThat(live.sum("origincluster_origin_sessions", "origin", "gst-0")).isEqualTo(1);
            assertThat(publisher.isAlive()).as("publisher: %s", publisher.output()).isTrue();
        }
        awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtsp", "result", "ok") >= 2
                && s.sum("origincluster_sessions_active", "protocol", "rtsp") == 0);

        // 4. no origin at all
        RtspHarness.join(proxy.store().deregister("gst-0"));
        assertThat(describe("/live/cam1")).isEqualTo(503);
        Scrape none = awaitScrape(s -> s.sum("origincluster_sessions_total", "protocol", "rtsp", "result",
                "no_route") >= 1);
        assertThat(none.sum("origincluster_failovers_total", "protocol", "rtsp")).isZero();
        assertThat(none.sum("origincluster_sessions_active", "protocol", "rtsp")).isZero();
    }

    private int describe(String path) throws Exception {
        int port = proxy.port("rtsp");
        try (RawRtsp c = new RawRtsp(port)) {
            return c.request("DESCRIBE", "rtsp://127.0.0.1:" + port + path, 1).status();
        }
    }

    private void register(String id, int rtspPort) {
        Backend b = Backend.of(id, "127.0.0.1", Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("1", "tcp")),
                Protocol.RTSP, List.of(Endpoint.parse(Integer.toString(rtspPort), "tcp"))), BackendSource.REGISTER);
        RtspHarness.join(proxy.store().register(b, Duration.ofMinutes(5)));
    }

    private Scrape awaitScrape(Predicate<Scrape> ok) {
        Scrape[] last = new Scrape[1];
        try {
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
                last[0] = Scrape.of(proxy.port("system-api"));
                return ok.test(last[0]);
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("scrape never matched; last one:\n" + (last[0] == null ? "none"
                    : last[0].text().lines().filter(l -> l.startsWith("origincluster_") && !l.contains("_bucket"))
                    .reduce("", (a, b) -> a + b + "\n")), e);
        }
        return last[0];
    }
}

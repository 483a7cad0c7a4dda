package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.http.hls.HlsToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HLS shapes beyond nginx-rtmp's: fMP4 (EXT-X-MAP init.mp4 + .m4s) behind a master playlist, SRS's hls_ctx
 * playlist with absolute origin URIs, and a redirect. ffprobe decodes through the proxy, and every request the
 * origin sees came through the proxy with the token stripped and the origin's own query kept.
 */
class HlsShapesTest {

    private static HlsFileOrigin origin;
    private static Dataplane proxy;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        origin = HlsFileOrigin.start();
        proxy = ProxyFixture.start(Map.of());
        ProxyFixture.registerHttpOrigin(proxy.store(), "fmp4-origin", origin.port());
        port = ProxyFixture.httpPort(proxy);
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

    @Test
    void fmp4BehindAMasterPlaylistPlaysThroughTheProxy() {
        int frames = Probe.videoFrames("http://127.0.0.1:" + port + "/live/master.m3u8", List.of(), 2, 25);
        assertThat(frames).isGreaterThan(10);
        List<String> seen = origin.requests.stream().map(MediaHttpOrigin.SeenRequest::uri).toList();
        assertThat(seen).contains("/live/master.m3u8", "/live/fmp4.m3u8", "/live/init.mp4")
                .anyMatch(u -> u.matches("/live/seg-\\d+\\.m4s"));
        assertThat(origin.requests).allSatisfy(r -> {
            assertThat(r.uri()).doesNotContain(HlsToken.PARAM);
            assertThat(r.header("X-Forwarded-For")).as("came through the proxy: %s", r.uri()).isNotNull();
        });
    }

    @Test
    void srsHlsCtxWithAbsoluteOriginUrisPlaysThroughTheProxy() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/live/ctx.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.body()).contains("/live/ctx.m3u8?hls_ctx=" + HlsFileOrigin.CTX + "&" + HlsToken.PARAM + "=");
        String media = first.body().lines().filter(l -> l.startsWith("/live/")).findFirst().orElseThrow();
        HttpResponse<String> second = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + media))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("Cache-Control")).hasValue("max-age=3");
        assertThat(second.body()).doesNotContain("127.0.0.1:" + origin.port())
                .contains("#EXT-X-MAP:URI=\"/live/init.mp4?hls_ctx=" + HlsFileOrigin.CTX + "&" + HlsToken.PARAM)
                .containsPattern("\n/live/seg-\\d+\\.m4s\\?hls_ctx=" + HlsFileOrigin.CTX + "&" + HlsToken.PARAM);

        int frames = Probe.videoFrames("http://127.0.0.1:" + port + "/live/ctx.m3u8", List.of(), 2, 25);
        assertThat(frames).isGreaterThan(10);
        assertThat(origin.requests).filteredOn(r -> r.uri().contains(".m4s"))
                .anyMatch(r -> r.uri().endsWith("?hls_ctx=" + HlsFileOrigin.CTX));
    }

    @Test
    void aRedirectToTheOriginBecomesAProxyRelativeLocation() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/live/moved.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).get().asString()
                .startsWith("/live/fmp4.m3u8?" + HlsToken.PARAM + "=");
        HttpResponse<String> followed = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live/moved.m3u8")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(followed.body()).contains("#EXT-X-MAP:URI=\"init.mp4?" + HlsToken.PARAM + "=");
    }
}

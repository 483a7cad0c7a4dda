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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DASH layouts nginx-rtmp does not write, from files ffmpeg's dash muxer wrote: its own (templates next to the MPD,
 * {@code $Number%05d$}) and SRS's (a folder BaseURL with {@code $RepresentationID$} templates inside it). ffprobe
 * decodes each through the proxy, and the origin sees the segment requests without the proxy's token.
 */
class DashShapesTest {

    private static HlsFileOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = HlsFileOrigin.start();
        proxy = ProxyFixture.start(Map.of());
        ProxyFixture.registerHttpOrigin(proxy.store(), "files-1", origin.port());
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

    @ParameterizedTest
    @ValueSource(strings = {"ffdash", "srs"})
    void playsThroughTheProxyWithSignedSegments(String name) throws Exception {
        String url = "http://127.0.0.1:" + ProxyFixture.httpPort(proxy) + "/live/" + name + ".mpd";
        HttpResponse<String> mpd = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mpd.statusCode()).isEqualTo(200);
        assertThat(mpd.body()).contains("initialization=\"").contains("?" + HlsToken.PARAM + "=");
        origin.requests.clear();
        int frames = Probe.videoFrames(url, List.of("-rw_timeout", "5000000"), 2, 30);
        assertThat(frames).as("video frames decoded from %s through the proxy", name).isGreaterThan(10);
        List<String> segments = origin.requests.stream().map(MediaHttpOrigin.SeenRequest::uri)
                .filter(u -> u.endsWith(".m4s") || u.endsWith(".mp4")).toList();
        assertThat(segments).as("segment requests the origin saw").isNotEmpty()
                .noneMatch(u -> u.contains(HlsToken.PARAM));
        if (name.equals("srs")) {
            assertThat(segments).allMatch(u -> u.startsWith("/live/cap/"));
        }
    }
}

package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The origins work as started, so a failing proxy test points at the proxy, not at the harness. */
class NginxRtmpOriginTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void directPublishIsPlayableOverRtmpAndHls() throws Exception {
        Tools.require("ffmpeg", "ffprobe");
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Proc pub = Proc.start("ffmpeg-publish", List.of("ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
                     "testsrc=size=320x240:rate=25", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                     "-pix_fmt", "yuv420p", "-f", "flv", "rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/direct"))) {
            Path playlist = origin.hlsDir().resolve("direct.m3u8");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!(Files.exists(playlist) && origin.isPublishing("direct")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(playlist).as("publisher: %s", pub.output()).exists();
            assertThat(origin.isPublishing("direct")).isTrue();
            assertThat(origin.isPublishing("other")).isFalse();
            assertThat(get(origin, "/live/direct.m3u8").body()).contains("#EXTM3U");
            try (Proc probe = Proc.start("ffprobe", List.of("ffprobe", "-v", "error", "-rw_timeout", "5000000",
                    "-count_frames", "-read_intervals", "%+1", "-select_streams", "v:0", "-show_entries",
                    "stream=nb_read_frames", "-of", "csv=p=0",
                    "rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/direct"))) {
                assertThat(probe.waitFor(20)).as(probe.output()).isZero();
                String last = probe.output().trim().lines().reduce((a, b) -> b).orElse("0").replace(",", "");
                assertThat(Integer.parseInt(last.trim())).as("frames decoded; publisher: %s", pub.output())
                        .isGreaterThan(10);
            }
        }
    }

    @Test
    void theBenchsOriginServesItsRootAndCountsConnectionsAndDiesOnKill() throws Exception {
        Path root = Files.createDirectories(dir.resolve("fixture/live"));
        Files.writeString(root.resolve("s.m3u8"), "#EXTM3U\n");
        Path work = dir.resolve("run");
        NginxRtmpOrigin origin = NginxRtmpOrigin.builder("nginx-segments").workDir(work).forLoad()
                .httpRoot(dir.resolve("fixture")).start();
        try {
            assertThat(Files.readString(work.resolve("nginx-segments/nginx.conf"))).contains("root "
                    + dir.resolve("fixture") + ";").contains("worker_connections 19000;").doesNotContain("hls on");
            assertThat(work.resolve("logs/nginx-segments.log")).exists();
            HttpResponse<String> r = get(origin, "/live/s.m3u8");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("#EXTM3U\n");
            assertThat(r.headers().firstValue("content-type")).contains("application/vnd.apple.mpegurl");
            assertThat(get(origin, "/stub_status").body()).contains("Active connections").contains("accepts");
            assertThat(origin.accepts(origin.rtmpPort())).isTrue();
            origin.kill();
            assertThat(origin.isAlive()).isFalse();
            assertThat(origin.accepts(origin.rtmpPort())).isFalse();
        } finally {
            origin.close();
        }
    }

    @Test
    void aSimulatedPodListensOnItsOwnAddressAndPorts() throws Exception {
        int rtmp = Ports.freeTcp();
        int http = Ports.freeTcp();
        int more = Ports.freeTcp();
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start("pod-origin", "127.0.0.9", rtmp, http, more)) {
            assertThat(origin.ip()).isEqualTo("127.0.0.9");
            assertThat(origin.accepts(rtmp)).isTrue();
            assertThat(origin.accepts(more)).isTrue();
            assertThat(Ports.accepts("127.0.0.1", rtmp, Duration.ofMillis(200))).isFalse();
            assertThat(origin.registerBody("o1")).isEqualTo("{\"device_id\":\"o1\",\"ip\":\"127.0.0.9\","
                    + "\"server\":\"o1\",\"service\":\"svc" + rtmp + "\",\"pid\":\"" + origin.pid() + "\","
                    + "\"rtmp\":[\"127.0.0.9:" + rtmp + "\"],\"http\":[\"" + http + "\"]}");
        }
    }

    private static HttpResponse<String> get(NginxRtmpOrigin origin, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + origin.ip() + ":" + origin.httpPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

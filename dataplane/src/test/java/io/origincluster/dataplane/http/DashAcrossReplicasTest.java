package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MPEG-DASH from a real nginx-rtmp origin ({@code dash on}: nginx writes the MPD, init and media segments) through
 * two proxy replicas that share nothing but the token key: the MPD comes from A with every segment URL signed, the
 * segments from B, which routes them by the token alone.
 */
class DashAcrossReplicasTest {

    private static final String STREAM = "dash1";
    private static final Pattern URL_ATTR = Pattern.compile("(media|initialization)=\"([^\"]+)\"");
    private static NginxRtmpOrigin origin;
    private static Proc publisher;
    private static Dataplane proxyA;
    private static Dataplane proxyB;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        origin = NginxRtmpOrigin.startWithDash();
        publisher = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + origin.rtmpPort() + "/live/" + STREAM);
        proxyA = ProxyFixture.start(Map.of());
        proxyB = ProxyFixture.start(Map.of());
        ProxyFixture.registerHttpOrigin(proxyA.store(), "nginx-1", origin.httpPort());
        ProxyFixture.registerHttpOrigin(proxyB.store(), "nginx-1", origin.httpPort());
        Path mpd = origin.hlsDir().resolve(STREAM + ".mpd");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(mpd)
                && Files.readString(mpd).split("<S ", -1).length > 4);
    }

    @AfterAll
    static void stop() {
        ProxyFixture.closeAll(proxyA, proxyB, publisher, origin);
    }

    @Test
    void ffprobePlaysTheOriginsDashThroughTheProxy() {
        int frames = Probe.videoFrames("http://127.0.0.1:" + ProxyFixture.httpPort(proxyA) + "/live/" + STREAM
                + ".mpd", List.of("-rw_timeout", "5000000"), 2, 30);
        assertThat(frames).as("video frames decoded from DASH through the proxy").isGreaterThan(10);
    }

    @Test
    void mpdFromReplicaASegmentsFromReplicaB() throws Exception {
        int a = ProxyFixture.httpPort(proxyA);
        int b = ProxyFixture.httpPort(proxyB);
        HttpResponse<String> mpd = get(a, "/live/" + STREAM + ".mpd");
        assertThat(mpd.statusCode()).as(mpd.body()).isEqualTo(200);
        assertThat(mpd.headers().firstValue("Content-Type")).hasValue("application/dash+xml");
        assertThat(mpd.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        List<String> urls = new ArrayList<>();
        Matcher m = URL_ATTR.matcher(mpd.body());
        while (m.find()) {
            urls.add(m.group(2));
        }
        assertThat(urls).as(mpd.body()).isNotEmpty()
                .allMatch(u -> u.contains("?" + HlsToken.PARAM + "=") || u.contains("&amp;" + HlsToken.PARAM + "="));

        // the init segment of each track, fetched from B by its token
        for (String u : urls) {
            if (u.contains("$")) {
                continue;
            }
            HttpResponse<byte[]> init = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b
                    + "/live/" + u.replace("&amp;", "&"))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(init.statusCode()).as("init segment %s from replica B", u).isEqualTo(200);
            assertThat(new String(init.body(), 4, 4)).as("an MP4 box").isIn("ftyp", "moov", "styp");
        }

        // a player that got the MPD from A and fetches every segment from B decodes the stream
        String local = mpd.body().replaceFirst("(<MPD[^>]*>)", "$1<BaseURL>http://127.0.0.1:" + b + "/live/</BaseURL>");
        Path file = Files.createTempFile(Path.of("target").toAbsolutePath(), "from-a-", ".mpd");
        Files.writeString(file, local);
        int frames = Probe.videoFrames(file.toString(), List.of("-protocol_whitelist", "file,http,tcp"), 2, 30);
        assertThat(frames).as("frames decoded from segments served by replica B").isGreaterThan(10);
        assertThat(proxyB.store().pins().toCompletableFuture().join())
                .as("replica B routed by token alone: it pinned nothing").isEmpty();
    }

    @Test
    void forgedTokensAreRefusedWithoutReachingAnOrigin() throws Exception {
        String body = get(ProxyFixture.httpPort(proxyA), "/live/" + STREAM + ".mpd").body();
        Matcher m = Pattern.compile("initialization=\"([^\"]+)\"").matcher(body);
        assertThat(m.find()).as(body).isTrue();
        String init = m.group(1).replace("&amp;", "&");
        String forged = init.substring(0, init.length() - 3) + (init.endsWith("AAA") ? "BBB" : "AAA");
        try (Dataplane empty = ProxyFixture.start(Map.of())) {
            // no origin registered at all: a 403 here was decided before any routing
            HttpResponse<String> r = get(ProxyFixture.httpPort(empty), "/live/" + forged);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("invalid HLS token");
        }
        HttpResponse<String> r = get(ProxyFixture.httpPort(proxyB), "/live/" + forged);
        assertThat(r.statusCode()).isEqualTo(403);
    }

    private static HttpResponse<String> get(int port, String target) throws Exception {
        return ProxyFixture.get(port, target);
    }
}

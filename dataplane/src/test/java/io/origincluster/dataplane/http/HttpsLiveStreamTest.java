package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.TestMedia;
import io.origincluster.dataplane.tls.TestCertificates;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP-FLV and HTTP-TS on the HTTPS twin of the stream listener (PROXY_HTTPS_SERVER): curl, verifying the test
 * certificate, gets the FLV header and tags; ffprobe decodes frames over https://; the origin sees a plain request.
 */
class HttpsLiveStreamTest {

    private static MediaHttpOrigin origin;
    private static Dataplane proxy;
    private static Path cert;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("curl", "ffprobe");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "https-");
        cert = dir.resolve("tls.crt");
        TestCertificates.write(TestCertificates.issue("https-stream", 55, TestCertificates.KeyFormat.PKCS8_RSA),
                cert, dir.resolve("tls.key"));
        origin = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), false);
        proxy = ProxyFixture.start(Map.of("PROXY_HTTPS_SERVER", "127.0.0.1:0", "PROXY_TLS_CERT", cert.toString(),
                "PROXY_TLS_KEY", dir.resolve("tls.key").toString()));
        ProxyFixture.registerHttpOrigin(proxy.store(), "media-origin-1", origin.port());
    }

    @AfterAll
    static void stop() {
        ProxyFixture.closeAll(proxy, origin);
    }

    @Test
    void curlAndFfprobePlayHttpFlvOverHttps() throws Exception {
        String url = "https://127.0.0.1:" + proxy.tlsPort("http-stream") + "/live/tlsflv.flv?token=abc";
        Path out = Files.createTempFile(Path.of("target").toAbsolutePath(), "https-", ".flv");
        Proc curl = Proc.start("curl-flv", List.of("curl", "-sS", "--max-time", "2", "--cacert", cert.toString(),
                "-o", out.toString(), url));
        // curl ends the live stream at --max-time (exit 28); any TLS or HTTP failure is another code
        assertThat(curl.waitFor(10)).as("curl: %s", curl.output()).isEqualTo(28);
        byte[] body = Files.readAllBytes(out);
        assertThat(body.length).as("bytes of FLV in 2 s").isGreaterThan(10_000);
        assertThat(new String(body, 0, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("FLV");

        int frames = Ffmpeg.countVideoFrames(url, 2, 20);
        assertThat(frames).as("video frames decoded over HTTPS").isGreaterThan(10);
        MediaHttpOrigin.SeenRequest seen = origin.requests.stream()
                .filter(r -> r.uri().startsWith("/live/tlsflv.flv")).findFirst().orElseThrow();
        assertThat(seen.uri()).isEqualTo("/live/tlsflv.flv?token=abc");
    }

    @Test
    void ffprobePlaysHttpTsOverHttps() {
        int frames = Ffmpeg.countVideoFrames("https://127.0.0.1:" + proxy.tlsPort("http-stream") + "/live/tlsts.ts",
                2, 20);
        assertThat(frames).as("video frames decoded over HTTPS").isGreaterThan(10);
    }
}

package io.origincluster.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.RtcPeer;
import io.origincluster.dataplane.testpeers.WhipTestOrigin;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.Protocol;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLS twins with real clients and a certificate made in the test: ffmpeg publishes over RTMPS to a real
 * nginx-rtmp origin and ffprobe plays it back over RTMPS (and over plain RTMP, the twin serving the same stream);
 * curl (verifying the certificate) and ffprobe read the HLS playlist over HTTPS; a WHIP client signals over HTTPS
 * and its data channel works through the relay; the system API answers over HTTPS; a plain-text client or a silent
 * one on a TLS port is closed, never left hanging.
 */
class TlsListenersTest {

    private static Path dir;
    private static Path certFile;
    private static NginxRtmpOrigin nginx;
    private static WhipTestOrigin whip;
    private static Dataplane proxy;
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "curl");
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
        certFile = dir.resolve("tls.crt");
        TestCertificates.Issued issued = TestCertificates.issue("origin-cluster-test", 7001,
                TestCertificates.KeyFormat.PKCS1_RSA);
        TestCertificates.write(issued, certFile, dir.resolve("tls.key"));
        nginx = NginxRtmpOrigin.start();
        whip = WhipTestOrigin.start();
        MemoryStateStore store = new MemoryStateStore(new LeastPinnedPolicy());
        store.register(Backend.of("nginx-1", "127.0.0.1", Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("127.0.0.1:" + nginx.rtmpPort(), "tcp")),
                Protocol.HTTP, List.of(Endpoint.parse(String.valueOf(nginx.httpPort()), "tcp"))),
                BackendSource.REGISTER), Duration.ofMinutes(5)).toCompletableFuture().join();
        store.register(whip.backend("whip-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
            "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER",
            "PROXY_RTMPS_SERVER", "PROXY_HTTPS_SERVER", "PROXY_HTTPS_API", "PROXY_HTTPS_SYSTEM_API"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_TLS_CERT", certFile.toString());
        env.put("PROXY_TLS_KEY", dir.resolve("tls.key").toString());
        env.put("PROXY_TLS_HANDSHAKE_TIMEOUT", "1s");
        env.put("PROXY_CONNECT_TIMEOUT", "2s");
        proxy = new Dataplane(ProxyConfig.from(env), store).start();
        https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(trusting(issued)).build();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (nginx != null) {
            nginx.close();
        }
        if (whip != null) {
            whip.close();
        }
    }

    /** Trusts exactly the test certificate (so host name and chain are really checked, against its IP SAN). */
    static SSLContext trusting(TestCertificates.Issued issued) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("test", issued.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void ffmpegPublishesOverRtmpsAndPlaysBackOverRtmpsHttpsHlsAndPlainRtmp() throws Exception {
        String rtmps = "rtmps://127.0.0.1:" + proxy.tlsPort("rtmp") + "/live/tls1";
        pinTo("__defaultVhost__/live/tls1", "nginx-1");
        try (Proc pub = Ffmpeg.publishRtmp(rtmps)) {
            Path playlist = nginx.hlsDir().resolve("tls1.m3u8");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(playlist)
                    && Files.readString(playlist).lines().filter(l -> l.endsWith(".ts")).count() >= 2);

            int overRtmps = Ffmpeg.countVideoFrames(rtmps, 2, 25);
            assertThat(overRtmps).as("frames played over RTMPS; publisher: %s", pub.output()).isGreaterThan(25);
            int overPlain = Ffmpeg.countVideoFrames("rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/tls1", 1, 25);
            assertThat(overPlain).as("the plain twin serves the same stream").isGreaterThan(10);

            String hls = "https://127.0.0.1:" + proxy.tlsPort("http-stream") + "/live/tls1.m3u8";
            Proc curl = Proc.start("curl-hls", List.of("curl", "-sS", "--max-time", "10", "--cacert",
                    certFile.toString(), hls));
            assertThat(curl.waitFor(15)).as("curl verifying the certificate: %s", curl.output()).isZero();
            assertThat(curl.output()).startsWith("#EXTM3U").contains("#EXTINF");
            int overHls = Ffmpeg.countVideoFrames(hls, 2, 30);
            assertThat(overHls).as("frames decoded from HLS over HTTPS").isGreaterThan(10);
        }
    }

    @Test
    void whipOverHttpsConnectsThroughTheRelayAndDeletesItsSession() throws Exception {
        String base = "https://127.0.0.1:" + proxy.tlsPort("http-api");
        pinTo("__defaultVhost__/live/tlswhip", "whip-1");
        try (RtcPeer client = RtcPeer.client()) {
            String offer = client.offer();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base
                            + "/rtc/v1/whip/?app=live&stream=tlswhip")).header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(r.body()).contains(" 127.0.0.1 " + proxy.port("webrtc") + " typ host");
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(whip.seen().get(whip.seen().size() - 1).uri()).isEqualTo("/rtc/v1/whip/?app=live&stream=tlswhip");

            client.acceptAnswer(r.body());
            client.awaitOpen(15);
            client.send("over tls signalling");
            assertThat(client.poll(5)).isEqualTo("echo:over tls signalling");

            HttpResponse<String> deleted = https.send(HttpRequest.newBuilder(URI.create(base + location)).DELETE()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> whip.livePeers() == 0);
        }
    }

    @Test
    void systemApiAnswersOverHttps() throws Exception {
        HttpResponse<String> v = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + proxy.tlsPort("system-api") + "/api/v1/origins")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(v.statusCode()).isEqualTo(200);
        assertThat(v.body()).contains("nginx-1").contains("whip-1");
    }

    @Test
    void plainTextAndSilentClientsOnATlsPortAreClosed() throws Exception {
        for (String listener : List.of("rtmp", "http-stream", "http-api", "system-api")) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.tlsPort(listener))) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(drain(s.getInputStream())).as("%s: plain text gets no HTTP answer", listener)
                        .doesNotContain("HTTP/1.1");
            }
            long t0 = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.tlsPort(listener))) {
                s.setSoTimeout(8000);
                assertThat(s.getInputStream().read()).as("%s: a silent client is closed", listener).isEqualTo(-1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .as("closed by PROXY_TLS_HANDSHAKE_TIMEOUT (1s)").isLessThan(Duration.ofSeconds(6));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> ((io.origincluster.dataplane.rtmp.RtmpServer) proxy.server("rtmp")).activeSessions() == 0);
    }

    /** Both origins share the store; each stream goes to the one that serves its protocol. */
    private static void pinTo(String key, String origin) {
        assertThat(proxy.store().pin(key, java.util.Set.of(), Duration.ofMinutes(5), origin).toCompletableFuture()
                .join().id()).isEqualTo(origin);
    }

    /** Reads until the peer closes (or 5 s pass, which fails the read with a timeout). */
    private static String drain(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}

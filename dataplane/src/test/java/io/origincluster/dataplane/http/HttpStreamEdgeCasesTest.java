package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.testkit.Ports;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Everything that is not a happy stream: bad requests, static files and traversal attempts, no origin, refusing
 * and silent origins, bad HLS tokens. Every answer is a clear status and body, and no connection is left open.
 */
class HttpStreamEdgeCasesTest {

    private static Path root;
    private static Path outside;
    private static Dataplane proxy;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "static-");
        root = Files.createDirectories(base.resolve("www"));
        outside = Files.writeString(base.resolve("secret.txt"), "top secret");
        Files.writeString(root.resolve("index.html"), "<html>home</html>");
        Files.writeString(root.resolve("app.js"), "console.log(1)");
        Files.createDirectories(root.resolve("players"));
        Files.writeString(root.resolve("players/index.html"), "<html>players</html>");
        Files.writeString(root.resolve("players/whep.html"), "<html>whep</html>");
        Files.writeString(root.resolve("data.bin"), "xyz");
        Files.createSymbolicLink(root.resolve("escape.txt"), outside);
        proxy = ProxyFixture.start(Map.of("PROXY_STATIC_FILES", root.toString(), "PROXY_HTTP_IDLE_TIMEOUT", "1s",
                "PROXY_CONNECT_RETRIES", "2"));
        port = ProxyFixture.httpPort(proxy);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void optionsAndCorsAndVersions() {
        RawHttp.Response opt = RawHttp.exchange(port, "OPTIONS /live/a.flv HTTP/1.1\r\nHost: x\r\n"
                + "Origin: http://page.example\r\nConnection: close\r\n\r\n");
        assertThat(opt.status()).isEqualTo(200);
        assertThat(opt.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(opt.header("Access-Control-Allow-Methods")).contains("GET");
        RawHttp.Response v = RawHttp.get(port, "/api/v1/versions");
        assertThat(v.status()).isEqualTo(200);
        assertThat(v.header("Content-Type")).isEqualTo("application/json");
        assertThat(v.body()).contains("\"code\":0").contains("\"version\":\"0.1.0\"").contains("\"pid\":");
        assertThat(v.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void staticFilesWithIndexAndContentTypes() {
        RawHttp.Response home = RawHttp.get(port, "/");
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.body()).isEqualTo("<html>home</html>");
        assertThat(home.header("Content-Type")).startsWith("text/html");
        assertThat(home.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(RawHttp.get(port, "/app.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(RawHttp.get(port, "/data.bin").header("Content-Type")).isEqualTo("application/octet-stream");
        RawHttp.Response dir = RawHttp.get(port, "/players?x=1");
        assertThat(dir.status()).isEqualTo(301);
        assertThat(dir.header("Location")).isEqualTo("/players/?x=1");
        assertThat(RawHttp.get(port, "/players/").body()).isEqualTo("<html>players</html>");
        assertThat(RawHttp.get(port, "/players/whep.html").body()).isEqualTo("<html>whep</html>");
        RawHttp.Response missing = RawHttp.get(port, "/players/nope.html");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("no stream or file at /players/nope.html");
        RawHttp.Response head = RawHttp.exchange(port, "HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("14");
    }

    @Test
    void pathTraversalNeverLeavesTheStaticFolder() {
        for (String target : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/players/..%2f..%2fsecret.txt",
                "/players/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/escape.txt", "/%00secret.txt",
                "/players/../../secret.txt"}) {
            RawHttp.Response r = RawHttp.get(port, target);
            assertThat(r.status()).as(target).isIn(400, 403, 404);
            assertThat(r.body()).as(target).doesNotContain("top secret");
        }
    }

    @Test
    void malformedAndOversizedRequestsGetAClearErrorAndAClose() {
        RawHttp.Response longLine = RawHttp.exchange(port, "GET /live/" + "a".repeat(9000)
                + ".flv HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(longLine.status()).isEqualTo(414);
        assertThat(longLine.body()).contains("request line too long");
        assertThat(longLine.header("Connection")).isEqualTo("close");

        RawHttp.Response bigHeaders = RawHttp.exchange(port, "GET /live/a.flv HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "b".repeat(20_000) + "\r\n\r\n");
        assertThat(bigHeaders.status()).isEqualTo(431);

        assertThat(RawHttp.exchange(port, "HELLO\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.exchange(port, "GET http://evil.example/live/a.flv HTTP/1.1\r\nHost: x\r\n\r\n")
                .status()).isEqualTo(400);
        RawHttp.Response badEscape = RawHttp.get(port, "/live/%zz.flv");
        assertThat(badEscape.status()).isEqualTo(400);
        assertThat(badEscape.body()).contains("bad URL");
        RawHttp.Response noApp = RawHttp.get(port, "/a.flv");
        assertThat(noApp.status()).isEqualTo(400);
        assertThat(noApp.body()).contains("names no app/stream");
        RawHttp.Response post = RawHttp.exchange(port,
                "POST /live/a.flv HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).contains("GET");
    }

    @Test
    void unknownExtensionWithoutAFileIs404() {
        RawHttp.Response r = RawHttp.get(port, "/live/stream.mp4");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("no stream or file").contains(".flv, .ts, .m3u8 or .mpd");
    }

    @Test
    void noOriginIs503AndRefusingOriginsAre502AfterFailover() throws Exception {
        try (Dataplane dp = ProxyFixture.start(Map.of("PROXY_CONNECT_RETRIES", "1"))) {
            int p = ProxyFixture.httpPort(dp);
            RawHttp.Response none = RawHttp.get(p, "/live/none.flv");
            assertThat(none.status()).isEqualTo(503);
            assertThat(none.body()).contains("no origin available for __defaultVhost__/live/none");

            ProxyFixture.registerHttpOrigin(dp.store(), "dead-1", Ports.freeTcp());
            ProxyFixture.registerHttpOrigin(dp.store(), "dead-2", Ports.freeTcp());
            RawHttp.Response refused = RawHttp.get(p, "/live/refused.flv");
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.body()).contains("unreachable after failover");
            assertThat(dp.store().pins().toCompletableFuture().join())
                    .as("failed pins are removed, not kept for the next session").isEmpty();
        }
    }

    @Test
    void silentOriginIs504AfterTheIdleTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Dataplane dp = ProxyFixture.start(Map.of("PROXY_HTTP_IDLE_TIMEOUT", "1s"))) {
            ProxyFixture.registerHttpOrigin(dp.store(), "silent", silent.getLocalPort());
            long t0 = System.nanoTime();
            RawHttp.Response r = RawHttp.get(ProxyFixture.httpPort(dp), "/live/silent.flv");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.body()).contains("origin sent nothing");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 4000L);
        }
    }

    @Test
    void badHlsTokensAre403AndNeverReachAnOrigin() {
        HlsToken tokens = new HlsToken(ProxyFixture.TOKEN_KEY.getBytes(StandardCharsets.UTF_8));
        StreamKey key = StreamKey.of("", "live", "s");
        String expired = tokens.sign(key, "any", Instant.now().minusSeconds(5));
        RawHttp.Response stale = RawHttp.get(port, "/live/s-1.ts?" + HlsToken.PARAM + "=" + expired);
        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.body()).contains("expired");

        String valid = tokens.sign(key, "any", Instant.now().plusSeconds(60));
        RawHttp.Response otherApp = RawHttp.get(port, "/admin/s-1.ts?" + HlsToken.PARAM + "=" + valid);
        assertThat(otherApp.status()).isEqualTo(403);
        assertThat(otherApp.body()).contains("does not cover");

        RawHttp.Response garbage = RawHttp.get(port, "/live/s-1.ts?" + HlsToken.PARAM + "=v1.aGk.aGk.9.x");
        assertThat(garbage.status()).isEqualTo(403);

        RawHttp.Response unknownOrigin = RawHttp.get(port, "/live/s-1.m4s?" + HlsToken.PARAM + "=" + valid);
        assertThat(unknownOrigin.status()).isEqualTo(404);
        assertThat(unknownOrigin.body()).contains("origin any").contains("is gone");
    }

    @Test
    void tokenForARefusingOriginIs502WithoutFailover() {
        ProxyFixture.registerHttpOrigin(proxy.store(), "segment-origin-down", Ports.freeTcp());
        String valid = new HlsToken(ProxyFixture.TOKEN_KEY.getBytes(StandardCharsets.UTF_8))
                .sign(StreamKey.of("", "live", "s"), "segment-origin-down", Instant.now().plusSeconds(60));
        RawHttp.Response r = RawHttp.get(port, "/live/s-1.ts?" + HlsToken.PARAM + "=" + valid);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).contains("segment-origin-down").contains("unreachable");
        proxy.store().deregister("segment-origin-down").toCompletableFuture().join();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /api/v1/versions HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            RawHttp.Response a = RawHttp.read(in);
            RawHttp.Response b = RawHttp.read(in);
            RawHttp.Response c = RawHttp.read(in);
            assertThat(a.body()).isEqualTo("console.log(1)");
            assertThat(b.body()).contains("\"code\":0");
            assertThat(c.status()).isEqualTo(404);
        }
    }

    @Test
    void idleClientsAreClosedAndNoConnectionIsLeftBehind() throws Exception {
        HttpStreamServer server = (HttpStreamServer) proxy.server("http-stream");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(4000);
            s.getOutputStream().write("GET /live/".getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            assertThat(RawHttp.closedBy(s)).as("server closed the idle half-request").isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3500);
        }
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> server.connectionCount() == 0);
    }
}

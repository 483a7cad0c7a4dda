package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.TestMedia;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP-FLV and HTTP-TS through the proxy to a real HTTP media origin: ffprobe decodes frames, the origin sees the
 * query string and the client's headers, the client sees the origin's headers, a client that leaves closes the
 * origin request, and a client that stops reading stops the origin too.
 */
class HttpLiveStreamTest {

    private static MediaHttpOrigin origin;
    private static Dataplane proxy;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        origin = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), false);
        proxy = ProxyFixture.start(Map.of());
        ProxyFixture.registerHttpOrigin(proxy.store(), "media-origin-1", origin.port());
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
    void ffprobeDecodesHttpFlvAndTheOriginSeesTheQueryAndHeaders() {
        int frames = Ffmpeg.countVideoFrames("http://127.0.0.1:" + port + "/live/flv1.flv?token=abc", 2, 20);
        assertThat(frames).as("video frames decoded through the proxy").isGreaterThan(10);
        MediaHttpOrigin.SeenRequest seen = origin.requests.stream()
                .filter(r -> r.uri().startsWith("/live/flv1.flv")).findFirst().orElseThrow();
        assertThat(seen.method()).isEqualTo("GET");
        assertThat(seen.uri()).isEqualTo("/live/flv1.flv?token=abc");
        assertThat(seen.header("User-Agent")).as("client header forwarded").startsWith("Lavf");
        assertThat(seen.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(seen.header("Host")).isEqualTo("127.0.0.1:" + port);
    }

    @Test
    void ffprobeDecodesHttpTs() throws Exception {
        int frames = Ffmpeg.countVideoFrames("http://127.0.0.1:" + port + "/live/ts1.ts?token=xyz&vhost=v.example.com",
                2, 20);
        assertThat(frames).as("video frames decoded through the proxy").isGreaterThan(10);
        MediaHttpOrigin.SeenRequest seen = origin.requests.stream()
                .filter(r -> r.uri().startsWith("/live/ts1.ts")).findFirst().orElseThrow();
        assertThat(seen.uri()).isEqualTo("/live/ts1.ts?token=xyz&vhost=v.example.com");
        assertThat(proxy.store().pins().toCompletableFuture().join())
                .containsEntry("v.example.com/live/ts1", "media-origin-1");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /live/ts2.ts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Head head = RawHttp.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo("video/mp2t");
        }
    }

    @Test
    void aLongStreamKeepsItsPinAliveWhileItPlays() throws Exception {
        try (Dataplane dp = ProxyFixture.start(Map.of("PROXY_PIN_TTL", "1s"));
             Socket s = new Socket()) {
            ProxyFixture.registerHttpOrigin(dp.store(), "media-origin-1", origin.port());
            s.connect(new InetSocketAddress("127.0.0.1", ProxyFixture.httpPort(dp)), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /live/long.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
            long until = System.nanoTime() + 2_500_000_000L;
            while (System.nanoTime() < until) {
                assertThat(in.readNBytes(1024)).hasSize(1024);
            }
            assertThat(dp.store().pinned("__defaultVhost__/live/long").toCompletableFuture().join())
                    .as("pin still held after 2.5 pin TTLs of streaming").isPresent();
        }
    }

    @Test
    void responseHeadersReachTheClientAndHopByHopHeadersDoNotReachTheOrigin() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /live/hdr.flv?a=1&b=two HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Player: probe\r\nAuthorization: Bearer t0k\r\nConnection: keep-alive, X-Hop\r\n"
                    + "X-Hop: secret\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttp.Head head = RawHttp.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo("video/x-flv");
            assertThat(head.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(head.header("X-Origin-Stream")).isEqualTo("/live/hdr.flv");
            assertThat(head.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
            byte[] first = s.getInputStream().readNBytes(16);
            assertThat(new String(first, StandardCharsets.ISO_8859_1)).contains("FLV");
        }
        MediaHttpOrigin.SeenRequest seen = origin.requests.stream()
                .filter(r -> r.uri().startsWith("/live/hdr.flv")).findFirst().orElseThrow();
        assertThat(seen.uri()).isEqualTo("/live/hdr.flv?a=1&b=two");
        assertThat(seen.header("X-Player")).isEqualTo("probe");
        assertThat(seen.header("Authorization")).isEqualTo("Bearer t0k");
        assertThat(seen.header("X-Hop")).as("header named by Connection is hop-by-hop").isNull();
        assertThat(seen.header("Connection")).isNull();
    }

    @Test
    void http10ClientsGetACloseDelimitedBodyAndHeadGetsOnlyHeaders() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /live/old.flv HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawHttp.Head head = RawHttp.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isNull();
            assertThat(head.header("Connection")).isEqualTo("close");
            assertThat(new String(s.getInputStream().readNBytes(3), StandardCharsets.ISO_8859_1)).isEqualTo("FLV");
        }
        RawHttp.Response head = RawHttp.exchange(port, "HEAD /live/head.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo("video/x-flv");
        assertThat(head.body()).isEmpty();
        assertThat(origin.requests).anyMatch(r -> r.method().equals("HEAD") && r.uri().equals("/live/head.flv"));
    }

    @Test
    void clientDisconnectClosesTheOriginRequestAtOnce() throws Exception {
        int before = origin.peerClosed.get();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /live/leave.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
            assertThat(in.readNBytes(1024)).hasSize(1024);
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> origin.openResponses.get() >= 1);
        }
        long closedAt = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> origin.peerClosed.get() > before);
        assertThat((System.nanoTime() - closedAt) / 1_000_000).as("ms until the origin saw the close")
                .isLessThan(2000);
        Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> ((HttpStreamServer) proxy.server("http-stream")).connectionCount() == 0);
    }

    @Test
    void aClientThatStopsReadingStopsTheOriginInsteadOfFillingTheProxy() throws Exception {
        try (MediaHttpOrigin fast = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), true);
             Dataplane dp = ProxyFixture.start(Map.of());
             Socket s = new Socket()) {
            ProxyFixture.registerHttpOrigin(dp.store(), "fast-origin", fast.port());
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", ProxyFixture.httpPort(dp)), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /live/slow.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> fast.bytesSent.get() > 0);
            // Without backpressure a loopback origin pushes gigabytes per second into the proxy.
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(500))
                    .until(stalled(fast));
            long held = fast.bytesSent.get();
            assertThat(held).as("bytes the origin got rid of while the client read nothing")
                    .isLessThan(64L * 1024 * 1024);
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
            long drained = 0;
            while (drained < held + 4L * 1024 * 1024) {
                int n = in.readNBytes(64 * 1024).length;
                assertThat(n).as("the proxy ended the stream after %d bytes", drained).isPositive();
                drained += n;
            }
            assertThat(fast.bytesSent.get()).as("the origin resumes once the client reads").isGreaterThan(held);
        }
    }

    private static java.util.concurrent.Callable<Boolean> stalled(MediaHttpOrigin o) {
        long[] last = {-1};
        return () -> {
            long now = o.bytesSent.get();
            boolean same = now == last[0];
            last[0] = now;
            return same;
        };
    }
}

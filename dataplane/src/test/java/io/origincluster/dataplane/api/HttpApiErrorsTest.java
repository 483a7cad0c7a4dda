package io.origincluster.dataplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.testpeers.RtcPeer;
import io.origincluster.dataplane.testpeers.WhipTestOrigin;
import io.origincluster.dataplane.webrtc.WebRtcRelayServer;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.Protocol;
import io.origincluster.testkit.Ports;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad request gets a clear status and a one-line reason; none leaves a session or socket behind. */
class HttpApiErrorsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final String OFFER_WITHOUT_UFRAG = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n";

    private static WhipTestOrigin origin;
    private static Dataplane proxy;
    private static Dataplane empty;
    private static Dataplane deadOrigin;

    @BeforeAll
    static void start() throws Exception {
        origin = WhipTestOrigin.start();
        MemoryStateStore store = new MemoryStateStore(new LeastPinnedPolicy());
        store.register(origin.backend("origin-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        proxy = start(store);
        empty = start(new MemoryStateStore(new LeastPinnedPolicy()));
        MemoryStateStore dead = new MemoryStateStore(new LeastPinnedPolicy());
        dead.register(Backend.of("dead-1", "127.0.0.1", Map.of(Protocol.API,
                List.of(Endpoint.parse(Integer.toString(Ports.freeTcp()), "tcp"))), BackendSource.REGISTER),
                Duration.ofMinutes(5)).toCompletableFuture().join();
        deadOrigin = start(dead);
    }

    private static Dataplane start(MemoryStateStore store) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
                "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_WEBRTC_ORIGIN_TIMEOUT", "2s");
        return new Dataplane(ProxyConfig.from(env), store).start();
    }

    @AfterAll
    static void stop() {
        for (Dataplane d : new Dataplane[] {proxy, empty, deadOrigin}) {
            if (d != null) {
                d.close();
            }
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static HttpResponse<String> send(Dataplane d, String method, String path, String type, String body,
                                             String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port("http-api") + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String validOffer() throws Exception {
        try (RtcPeer p = RtcPeer.client()) {
            return p.offer();
        }
    }

    @Test
    void versionsOptionsAndUnknownPaths() throws Exception {
        HttpResponse<String> v = send(proxy, "GET", "/api/v1/versions", null, null);
        assertThat(v.statusCode()).isEqualTo(200);
        assertThat(v.body()).contains("\"signature\":\"OriginCluster\"").contains("\"version\":");
        HttpResponse<String> o = send(proxy, "OPTIONS", "/rtc/v1/whip/?app=live&stream=s", null, null);
        assertThat(o.statusCode()).isEqualTo(200);
        assertThat(o.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("PATCH", "DELETE");
        assertThat(o.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Location");
        assertThat(send(proxy, "GET", "/api/v1/streams", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void offersTheProxyCannotUseAreRejectedBeforeAnyOriginIsAsked() throws Exception {
        int before = origin.seen().size();
        HttpResponse<String> noUfrag = send(proxy, "POST", "/rtc/v1/whip/?app=live&stream=s", "application/sdp",
                OFFER_WITHOUT_UFRAG);
        assertThat(noUfrag.statusCode()).isEqualTo(400);
        assertThat(noUfrag.body()).contains("ice-ufrag");
        assertThat(send(proxy, "POST", "/rtc/v1/whip/", "application/sdp", validOffer()).statusCode())
                .as("no stream named").isEqualTo(400);
        assertThat(send(proxy, "POST", "/rtc/v1/publish/?app=live&stream=s", "application/json", "[1,2]").body())
                .contains("not a JSON object");
        assertThat(send(proxy, "POST", "/rtc/v1/publish/?app=live&stream=s", "application/json", "{\"sdp\":7}")
                .statusCode()).isEqualTo(400);
        assertThat(send(proxy, "POST", "/rtc/v1/play/?app=live&stream=s", "application/json", "{not json")
                .statusCode()).isEqualTo(400);
        assertThat(origin.seen()).hasSize(before);
        assertNoSessions(proxy);
    }

    @Test
    void oversizedBodiesGet413() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port("http-api"))) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /rtc/v1/whip/?app=live&stream=s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/sdp\r\nContent-Length: " + (HttpApiServer.MAX_BODY + 1)
                    + "\r\n\r\nv=0\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            for (int c; sb.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0; ) {
                sb.append((char) c);
            }
            String head = sb.toString();
            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("access-control-allow-origin: *");
        }
    }

    @Test
    void originStatusAndBodyAreForwardedAndBrokenAnswersAre502() throws Exception {
        String offer = validOffer();
        HttpResponse<String> denied = send(proxy, "POST", "/rtc/v1/whep/?app=live&stream=s", "application/sdp",
                offer, "Authorization", "Bearer deny");
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).isEqualTo("token rejected by origin");

        origin.answerWithoutUfrag(true);
        try {
            HttpResponse<String> broken = send(proxy, "POST", "/rtc/v1/whep/?app=live&stream=s", "application/sdp",
                    offer);
            assertThat(broken.statusCode()).isEqualTo(502);
            assertThat(broken.body()).contains("ice-ufrag");
        } finally {
            origin.answerWithoutUfrag(false);
        }
        assertNoSessions(proxy);
    }

    @Test
    void noOriginOrDeadOriginIsAClear5xx() throws Exception {
        String offer = validOffer();
        HttpResponse<String> none = send(empty, "POST", "/rtc/v1/whip/?app=live&stream=s", "application/sdp", offer);
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.body()).contains("no origin available");
        HttpResponse<String> dead = send(deadOrigin, "POST", "/rtc/v1/whip/?app=live&stream=s", "application/sdp",
                offer);
        assertThat(dead.statusCode()).isBetween(502, 503);
        assertThat(deadOrigin.store().pins().toCompletableFuture().join())
                .as("the refusing origin is unpinned").doesNotContainKey("__defaultVhost__/live/s");
    }

    @Test
    void sessionResourcesOnlyReachTheirOwnSessionAtTheOriginPathItGave() throws Exception {
        assertThat(send(proxy, "DELETE", "/rtc/v1/resource/garbage", null, null).statusCode()).isEqualTo(404);
        HttpResponse<String> created = send(proxy, "POST", "/rtc/v1/whep/?app=live&stream=res", "application/sdp",
                validOffer());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        SessionResource mine = SessionResource.parse(location);
        assertThat(location).as("the origin's own path stays with the proxy").doesNotContain("session=");
        int seen = origin.seen().size();

        String guessed = new SessionResource(mine.username(), "AAAAAAAAAAAAAAAAAAAAAA").path();
        assertThat(send(proxy, "DELETE", guessed, null, null).statusCode()).as("wrong secret").isEqualTo(404);
        String unknown = SessionResource.create("no:such").path();
        assertThat(send(proxy, "DELETE", unknown, null, null).statusCode()).as("no such session").isEqualTo(404);
        // The shape the proxy used to accept: an origin id and any path on that origin's API after it.
        String b64 = "/" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mine.username().getBytes(StandardCharsets.UTF_8));
        String toOriginApi = SessionResource.PREFIX + "b3JpZ2luLTE" + b64 + "/api/v1/clients/1";
        assertThat(send(proxy, "DELETE", toOriginApi, null, null).statusCode()).isEqualTo(404);
        assertThat(send(proxy, "GET", toOriginApi, null, null).statusCode()).isEqualTo(404);
        assertThat(origin.seen()).as("no forged resource reached the origin").hasSize(seen);

        assertThat(send(proxy, "POST", location, "text/plain", "x").statusCode()).isEqualTo(405);
        HttpResponse<String> deleted = send(proxy, "DELETE", location, null, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        WhipTestOrigin.Seen atOrigin = origin.seen().get(origin.seen().size() - 1);
        assertThat(atOrigin.method()).isEqualTo("DELETE");
        assertThat(atOrigin.uri()).startsWith("/rtc/v1/whip/?action=delete&session=");
        assertThat(proxy.store().session(io.origincluster.state.SessionKind.WEBRTC, mine.username())
                .toCompletableFuture().join()).isEmpty();
        assertThat(send(proxy, "DELETE", location, null, null).statusCode()).as("deleted once").isEqualTo(404);
    }

    private static void assertNoSessions(Dataplane d) {
        WebRtcRelayServer.Stats s = ((WebRtcRelayServer) d.server("webrtc")).stats().join();
        assertThat(s.sessions()).isZero();
        assertThat(s.backendSockets()).isZero();
    }
}

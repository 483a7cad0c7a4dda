package io.origincluster.dataplane.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.StreamTokens;
import io.origincluster.dataplane.testpeers.RtcPeer;
import io.origincluster.dataplane.testpeers.WhipTestOrigin;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.StateStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WHIP/WHEP with {@code PROXY_AUTH=token}: a libwebrtc offer gets 401/403 or the origin's 201. */
class WhipAuthTest {

    private static final String SECRET = "whip-auth-test-secret-0123";
    private static final StreamTokens TOKENS = new StreamTokens(SECRET);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static StateStore store;
    private static WhipTestOrigin origin;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        store = new MemoryStateStore(new io.origincluster.state.LeastPinnedPolicy());
        origin = WhipTestOrigin.start();
        store.register(origin.backend("origin-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        proxy = RelayTestSupport.start(store, Map.of("PROXY_AUTH", "token", "PROXY_AUTH_SECRET", SECRET));
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

    private static String token(Action a, String stream) {
        return TOKENS.mint(a, stream, Duration.ofMinutes(10), Instant.now());
    }

    private static HttpResponse<String> offer(String path, String authorization, String sdp) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port("http-api") + path))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(sdp));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void whipAndWhepNeedATokenAsBearerOrInTheQuery() throws Exception {
        try (RtcPeer client = RtcPeer.client()) {
            String sdp = client.offer();
            int seenBefore = origin.seen().size();
            HttpResponse<String> none = offer("/rtc/v1/whip/?app=live&stream=w1", null, sdp);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(JSON.readTree(none.body()).path("code").asInt()).isEqualTo(401);
            HttpResponse<String> wrong = offer("/rtc/v1/whip/?app=live&stream=w1",
                    "Bearer " + token(Action.PLAY, "live/w1"), sdp);
            assertThat(wrong.statusCode()).isEqualTo(403);
            HttpResponse<String> forged = offer("/rtc/v1/whep/?app=live&stream=w1", "Bearer forged", sdp);
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(origin.seen()).as("refused offers never reach an origin").hasSize(seenBefore);

            HttpResponse<String> ok = offer("/rtc/v1/whip/?app=live&stream=w1",
                    "Bearer " + token(Action.PUBLISH, "live/w1"), sdp);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        }
        try (RtcPeer client = RtcPeer.client()) {
            HttpResponse<String> ok = offer("/rtc/v1/whep/?app=live&stream=w1&token=" + token(Action.PLAY, "live/w1"),
                    null, client.offer());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        }
    }

    @Test
    void aWhipPublisherHoldsTheStreamUntilItsSessionEnds() throws Exception {
        String key = "__defaultVhost__/live/whipheld";
        String username;
        try (RtcPeer first = RtcPeer.client()) {
            String offer = first.offer();
            HttpResponse<String> ok = offer("/rtc/v1/whip/?app=live&stream=whipheld",
                    "Bearer " + token(Action.PUBLISH, "live/whipheld"), offer);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
            username = ufrag(ok.body()) + ":" + ufrag(offer);
            assertThat(store.session(io.origincluster.state.SessionKind.WEBRTC, username).toCompletableFuture()
                    .join()).as("the session the lease follows").isPresent();
        }
        assertThat(store.acquirePublisher(key, "an-rtmp-publisher", Duration.ofMinutes(1), false)
                .toCompletableFuture().join()).as("the WHIP publisher holds the stream").isFalse();
        try (RtcPeer second = RtcPeer.client()) {
            HttpResponse<String> busy = offer("/rtc/v1/whip/?app=live&stream=whipheld",
                    "Bearer " + token(Action.PUBLISH, "live/whipheld"), second.offer());
            assertThat(busy.statusCode()).isEqualTo(409);
        }
        // the session ends (its record goes, as after a DELETE or an idle timeout): the stream is free again
        store.removeSession(io.origincluster.state.SessionKind.WEBRTC, username).toCompletableFuture().join();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                store.acquirePublisher(key, "an-rtmp-publisher", Duration.ofMinutes(1), false)
                        .toCompletableFuture().join());
        store.releasePublisher(key, "an-rtmp-publisher").toCompletableFuture().join();
    }

    private static String ufrag(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("a=ice-ufrag:")).map(l -> l.substring(12).trim()).findFirst()
                .orElseThrow(() -> new AssertionError("no ice-ufrag in " + sdp));
    }

    @Test
    void aWhipPublishOfAStreamAnotherPublisherHoldsIsRefusedWith409() throws Exception {
        String key = "__defaultVhost__/live/held";
        assertThat(store.acquirePublisher(key, "an-rtmp-publisher", Duration.ofMinutes(1), false)
                .toCompletableFuture().join()).isTrue();
        try (RtcPeer client = RtcPeer.client()) {
            HttpResponse<String> busy = offer("/rtc/v1/whip/?app=live&stream=held",
                    "Bearer " + token(Action.PUBLISH, "live/held"), client.offer());
            assertThat(busy.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(busy.body()).path("error").asText()).contains("already has a publisher");
        }
        store.releasePublisher(key, "an-rtmp-publisher").toCompletableFuture().join();
        try (RtcPeer client = RtcPeer.client()) {
            HttpResponse<String> ok = offer("/rtc/v1/whip/?app=live&stream=held",
                    "Bearer " + token(Action.PUBLISH, "live/held"), client.offer());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        }
    }
}

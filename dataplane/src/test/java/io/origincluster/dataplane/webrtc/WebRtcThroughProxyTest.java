package io.origincluster.dataplane.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.RtcPeer;
import io.origincluster.dataplane.testpeers.WhipTestOrigin;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import io.origincluster.state.StateStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real libwebrtc peers on both ends: a WHIP/WHEP client and a test origin whose answers come from its own peer
 * connections. The proxy rewrites the origin's candidates to its own UDP port and removes the client's candidates
 * from the offer, so ICE, DTLS and SCTP can only complete through the relay; data-channel messages then travel
 * both ways. The two replicas share one real Redis through two RedisStateStore clients.
 */
class WebRtcThroughProxyTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StateStore store;
    private static WhipTestOrigin origin;
    private static WhipTestOrigin otherOrigin;
    private static Dataplane proxyA;
    private static Dataplane proxyB;

    @BeforeAll
    static void start() throws Exception {
        store = SharedStores.create();
        origin = WhipTestOrigin.start();
        otherOrigin = WhipTestOrigin.start();
        store.register(origin.backend("origin-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        store.register(otherOrigin.backend("origin-2"), Duration.ofMinutes(5)).toCompletableFuture().join();
        proxyA = RelayTestSupport.start(store, Map.of());
        proxyB = RelayTestSupport.start(SharedStores.second(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (proxyB != null) {
            proxyB.close();
        }
        if (proxyA != null) {
            proxyA.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (otherOrigin != null) {
            otherOrigin.close();
        }
        SharedStores.closeAll();
    }

    private static String api(Dataplane d, String path) {
        return "http://127.0.0.1:" + d.port("http-api") + path;
    }

    private static List<String> candidates(String sdp) {
        return Arrays.stream(sdp.split("\r\n")).filter(l -> l.startsWith("a=candidate:")).toList();
    }

    @Test
    void whipSessionConnectsThroughTheRelayAndIsDeletedThroughTheProxy() throws Exception {
        int relayPort = proxyA.port("webrtc");
        try (RtcPeer client = RtcPeer.client()) {
            String offer = client.offer();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api(proxyA,
                            "/rtc/v1/whip/?app=live&stream=whip1")))
                    .header("Content-Type", "application/sdp").header("Authorization", "Bearer ok")
                    .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/sdp");
            assertThat(r.headers().firstValue("ETag")).hasValue("\"origin-etag\"");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/rtc/v1/resource/");

            // Two origins are registered: whichever was picked must also get this session's PATCH and DELETE.
            WhipTestOrigin served = origin.seen().stream().anyMatch(x -> x.uri().contains("stream=whip1"))
                    ? origin : otherOrigin;
            WhipTestOrigin idle = served == origin ? otherOrigin : origin;
            String servedId = served == origin ? "origin-1" : "origin-2";
            WhipTestOrigin.Seen atOrigin = served.seen().get(served.seen().size() - 1);
            assertThat(atOrigin.uri()).isEqualTo("/rtc/v1/whip/?app=live&stream=whip1");
            assertThat(atOrigin.headers().get("Authorization")).containsExactly("Bearer ok");
            assertThat(atOrigin.body()).contains("a=ice-ufrag:").doesNotContain("a=candidate:");

            String answer = r.body();
            assertThat(candidates(answer)).isNotEmpty()
                    .allSatisfy(c -> assertThat(c).contains(" udp ").contains(" 127.0.0.1 " + relayPort + " typ host"));

            client.acceptAnswer(answer);
            client.awaitOpen(15);
            client.send("hello origin");
            assertThat(client.poll(5)).isEqualTo("echo:hello origin");
            assertThat(client.selectedRemoteCandidate()).isEqualTo("127.0.0.1:" + relayPort);

            WebRtcRelayServer.Stats s = RelayTestSupport.stats(proxyA);
            assertThat(s.sessions()).isEqualTo(1);
            assertThat(s.toOrigin()).isGreaterThan(3);
            assertThat(s.toClient()).isGreaterThan(3);
            String username = Sdp.iceUfrag(answer) + ":" + Sdp.iceUfrag(offer);
            Optional<SessionRecord> rec = store.session(SessionKind.WEBRTC, username).toCompletableFuture().join();
            assertThat(rec).get().satisfies(x -> {
                assertThat(x.backendId()).isEqualTo(servedId);
                assertThat(x.streamKey()).endsWith("/live/whip1");
                // The relay opened the session only after checking libwebrtc's STUN signature with this password.
                assertThat(x.attributes()).containsEntry("icePwd", Sdp.icePwd(answer));
            });

            int idleSeen = idle.seen().size();
            HttpResponse<String> patch = HTTP.send(HttpRequest.newBuilder(URI.create(api(proxyA, location)))
                    .header("Content-Type", "application/trickle-ice-sdpfrag")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("a=ice-ufrag:" + Sdp.iceUfrag(offer)
                            + "\r\na=candidate:1 1 udp 2122194687 192.0.2.2 40000 typ host\r\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(patch.statusCode()).isEqualTo(204);
            WhipTestOrigin.Seen patched = served.seen().get(served.seen().size() - 1);
            assertThat(patched.method()).isEqualTo("PATCH");
            assertThat(patched.headers().get("Content-type")).containsExactly("application/trickle-ice-sdpfrag");
            assertThat(patched.body()).contains("a=ice-ufrag:").doesNotContain("a=candidate");

            int peersBefore = served.livePeers();
            HttpResponse<String> del = HTTP.send(HttpRequest.newBuilder(URI.create(api(proxyB, location)))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(del.statusCode()).as("DELETE via another replica reaches the same origin: " + del.body())
                    .isEqualTo(200);
            assertThat(served.seen().get(served.seen().size() - 1).uri()).as("the path the origin's Location gave")
                    .isEqualTo(rec.get().attributes().get("resourcePath")).startsWith("/rtc/v1/whip/?action=delete&session=");
            assertThat(served.livePeers()).isEqualTo(peersBefore - 1);
            assertThat(idle.seen()).as("the other origin never saw this session").hasSize(idleSeen);
            assertThat(store.session(SessionKind.WEBRTC, username).toCompletableFuture().join()).isEmpty();
        }
    }

    @Test
    void signallingOnOneReplicaMediaOnAnother() throws Exception {
        int portA = proxyA.port("webrtc");
        int portB = proxyB.port("webrtc");
        try (RtcPeer client = RtcPeer.client()) {
            String offer = client.offer();
            String envelope = JSON.createObjectNode().put("api", api(proxyA, "/rtc/v1/play/"))
                    .put("streamurl", "webrtc://127.0.0.1/live/json1").put("sdp", offer).toString();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api(proxyA, "/rtc/v1/play/")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(envelope)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode reply = JSON.readTree(r.body());
            assertThat(reply.get("code").asInt()).isZero();
            assertThat(reply.get("server").asText()).as("other envelope fields survive").isEqualTo("whip-test-origin");
            String answer = reply.get("sdp").asText();
            assertThat(candidates(answer)).allSatisfy(c -> assertThat(c).contains(" 127.0.0.1 " + portA + " typ host"));

            // An L4 load balancer in front of the replicas sends this client's UDP flow to replica B.
            String viaB = answer.replace(" " + portA + " typ host", " " + portB + " typ host");
            client.acceptAnswer(viaB);
            client.awaitOpen(15);
            client.send("ping");
            assertThat(client.poll(5)).isEqualTo("echo:ping");
            client.send("pong");
            assertThat(client.poll(5)).isEqualTo("echo:pong");
            assertThat(client.selectedRemoteCandidate()).isEqualTo("127.0.0.1:" + portB);

            assertThat(RelayTestSupport.stats(proxyB).sessions()).isEqualTo(1);
            assertThat(RelayTestSupport.stats(proxyA).sessions()).as("A only signalled").isZero();
        }
    }
}

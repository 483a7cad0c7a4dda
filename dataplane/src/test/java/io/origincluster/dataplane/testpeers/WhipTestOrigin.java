package io.origincluster.dataplane.testpeers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small WebRTC origin for tests: an HTTP API on loopback speaking WHIP/WHEP ({@code application/sdp}, 201 with a
 * Location) and SRS's JSON publish/play API, whose answers come from real {@link RtcPeer}s that echo data-channel
 * messages. PATCH on a Location answers 204; DELETE closes that peer. Every request is recorded for assertions.
 */
public final class WhipTestOrigin implements AutoCloseable {

    /** One request as the origin saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, String body) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, RtcPeer> peers = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean answerWithoutUfrag;

    private WhipTestOrigin() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "whip-test-origin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public static WhipTestOrigin start() throws IOException {
        return new WhipTestOrigin();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** This origin as a registered backend with only an API endpoint (its media ports are ephemeral). */
    public Backend backend(String id) {
        return Backend.of(id, "127.0.0.1", Map.of(Protocol.API, List.of(Endpoint.parse(Integer.toString(port()),
                "tcp"))), BackendSource.REGISTER);
    }

    public List<Seen> seen() {
        return seen;
    }

    public int livePeers() {
        return peers.size();
    }

    /** Makes answers lose their {@code a=ice-ufrag} line: a broken origin the proxy must report as 502. */
    public void answerWithoutUfrag(boolean value) {
        answerWithoutUfrag = value;
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String method = ex.getRequestMethod();
        String uri = ex.getRequestURI().toString();
        seen.add(new Seen(method, uri, Map.copyOf(ex.getRequestHeaders()), body));
        try {
            if ("Bearer deny".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, "text/plain", "token rejected by origin", null);
            } else if (method.equals("DELETE")) {
                String id = uri.replaceAll(".*[?&]session=([0-9]+).*", "$1");
                RtcPeer p = peers.remove(id);
                if (p != null) {
                    p.close();
                }
                reply(ex, p != null ? 200 : 404, "text/plain", p != null ? "" : "no such session", null);
            } else if (method.equals("PATCH")) {
                // Trickle ICE: accepted and ignored (answers already carry every candidate).
                reply(ex, 204, "text/plain", "", null);
            } else if (method.equals("POST") && (uri.startsWith("/rtc/v1/publish/") || uri.startsWith("/rtc/v1/play/"))) {
                ObjectNode req = (ObjectNode) JSON.readTree(body);
                String answer = answer(req.get("sdp").asText(), String.valueOf(ids.incrementAndGet()));
                ObjectNode res = JSON.createObjectNode().put("code", 0).put("server", "whip-test-origin")
                        .put("sdp", answer).put("sessionid", "test");
                reply(ex, 200, "application/json", JSON.writeValueAsString(res), null);
            } else if (method.equals("POST")) {
                String id = String.valueOf(ids.incrementAndGet());
                String answer = answer(body, id);
                reply(ex, 201, "application/sdp", answer, "/rtc/v1/whip/?action=delete&session=" + id);
            } else {
                reply(ex, 405, "text/plain", "method not allowed", null);
            }
        } catch (Exception e) {
            reply(ex, 500, "text/plain", e.toString(), null);
        }
    }

    private String answer(String offer, String id) throws Exception {
        RtcPeer peer = RtcPeer.echoingAnswerer();
        peers.put(id, peer);
        String answer = peer.answer(offer);
        return answerWithoutUfrag ? answer.replaceAll("a=ice-ufrag:[^\r\n]*\r\n", "") : answer;
    }

    private static void reply(HttpExchange ex, int status, String type, String body, String location)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("ETag", "\"origin-etag\"");
        if (location != null) {
            ex.getResponseHeaders().set("Location", location);
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        peers.values().forEach(RtcPeer::close);
        peers.clear();
    }
}

package io.origincluster.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.origincluster.dataplane.routing.StreamKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP hook against a real in-test HTTP server: body fields, 2xx allows, cache, timeout. */
class HookGateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer hook;
    private final List<JsonNode> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.setExecutor(Executors.newCachedThreadPool());
        hook.createContext("/auth", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            calls.add(body);
            String stream = body.path("stream").asText();
            if (stream.equals("slow")) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = stream.startsWith("ok") ? 200 : stream.startsWith("nocontent") ? 204 : 403;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        hook.start();
    }

    @AfterEach
    void stop() {
        hook.stop(0);
    }

    private HookGate gate(Duration cacheTtl, int size) {
        return new HookGate(URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/auth"),
                Duration.ofMillis(500), cacheTtl, size);
    }

    private static AccessRequest req(String stream, String param) {
        return new AccessRequest(Action.PUBLISH, "srt", StreamKey.of("example.com", "live", stream), param, null,
                "10.1.2.3");
    }

    private static AccessDenied.Status outcome(HookGate g, AccessRequest r) {
        try {
            g.check(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return AccessDenied.of(e).status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theHookGetsTheSessionAndItsStatusDecides() {
        HookGate g = gate(Duration.ZERO, 10);
        assertThat(outcome(g, req("ok1", "token=abc&x=1"))).isNull();
        assertThat(outcome(g, req("nocontent", ""))).isNull();
        assertThat(outcome(g, req("refused", ""))).isEqualTo(AccessDenied.Status.FORBIDDEN);
        JsonNode first = calls.get(0);
        assertThat(first.path("action").asText()).isEqualTo("publish");
        assertThat(first.path("protocol").asText()).isEqualTo("srt");
        assertThat(first.path("vhost").asText()).isEqualTo("example.com");
        assertThat(first.path("app").asText()).isEqualTo("live");
        assertThat(first.path("stream").asText()).isEqualTo("ok1");
        assertThat(first.path("param").asText()).isEqualTo("?token=abc&x=1");
        assertThat(first.path("ip").asText()).isEqualTo("10.1.2.3");
        AccessRequest whip = new AccessRequest(Action.PLAY, "webrtc", StreamKey.of("", "live", "ok2"), "", "bt",
                "::1");
        assertThat(outcome(g, whip)).isNull();
        assertThat(calls.get(3).path("param").asText()).as("a bearer token shows as the query token")
                .isEqualTo("?token=bt");
        assertThat(calls).hasSize(4);
    }

    @Test
    void answersAreCachedWithinTheTtlAndTheCacheIsBounded() throws Exception {
        HookGate g = gate(Duration.ofSeconds(30), 3);
        for (int i = 0; i < 3; i++) {
            assertThat(outcome(g, req("ok-a", ""))).isNull();
            assertThat(outcome(g, req("denied-a", ""))).isEqualTo(AccessDenied.Status.FORBIDDEN);
        }
        assertThat(calls).as("one call per distinct session, refusals cached too").hasSize(2);
        for (int i = 0; i < 10; i++) {
            outcome(g, req("ok-" + i, ""));
        }
        assertThat(g.cachedEntries()).isEqualTo(3);
        HookGate shortLived = gate(Duration.ofMillis(200), 10);
        calls.clear();
        outcome(shortLived, req("ok-b", ""));
        Thread.sleep(400);
        outcome(shortLived, req("ok-b", ""));
        assertThat(calls).as("an expired answer asks again").hasSize(2);
    }

    @Test
    void aHookThatDoesNotAnswerInTimeRefusesAndIsNotCached() {
        HookGate g = gate(Duration.ofSeconds(30), 10);
        long t0 = System.nanoTime();
        assertThat(outcome(g, req("slow", ""))).isEqualTo(AccessDenied.Status.UNAVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        assertThat(g.cachedEntries()).isZero();
        hook.stop(0);
        assertThat(outcome(g, req("ok-down", ""))).as("hook down").isEqualTo(AccessDenied.Status.UNAVAILABLE);
    }
}

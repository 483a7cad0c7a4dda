package io.origincluster.dataplane.http;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** In-process data planes on free ports, and origins registered the way the register API would. */
final class ProxyFixture {

    static final String TOKEN_KEY = "test-hls-token-key-shared-by-replicas";

    private ProxyFixture() {
    }

    static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0", "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0", "PROXY_SRT_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "127.0.0.1:0", "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_RTSP_SERVER", "127.0.0.1:0",
                "PROXY_HLS_TOKEN_KEY", TOKEN_KEY, "PROXY_CONNECT_TIMEOUT", "1s"));
        env.putAll(extra);
        return env;
    }

    /** A data plane with its own in-memory store (so two of them share nothing but the token key). */
    static Dataplane start(Map<String, String> extra) throws Exception {
        ProxyConfig config = ProxyConfig.from(env(extra));
        return new Dataplane(config, new MemoryStateStore(config.routing().policy())).start();
    }

    static void registerHttpOrigin(StateStore store, String id, int httpPort) {
        Backend b = Backend.of(id, "127.0.0.1",
                Map.of(Protocol.HTTP, List.of(Endpoint.parse(Integer.toString(httpPort), "tcp"))),
                BackendSource.REGISTER);
        store.register(b, Duration.ofMinutes(5)).toCompletableFuture().join();
    }

    static int httpPort(Dataplane dp) {
        return dp.port("http-stream");
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** GET {@code target} on a proxy's (or origin's) HTTP port, as text. */
    static java.net.http.HttpResponse<String> get(int port, String target) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + target))
                .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** Closes every peer, each even when another fails (null ones skipped). */
    static void closeAll(AutoCloseable... peers) {
        for (AutoCloseable c : peers) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort: the others are still closed
            }
        }
    }
}

package io.origincluster.dataplane.rtsp;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** In-process data planes for the RTSP tests, every listener on a loopback port 0, origins registered directly. */
final class RtspHarness {

    private RtspHarness() {
    }

    static Dataplane start(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String v : List.of("PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API", "PROXY_WEBRTC_SERVER",
                "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER")) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_CONNECT_TIMEOUT", "1s");
        env.putAll(extra);
        return new Dataplane(ProxyConfig.from(env)).start();
    }

    static void register(StateStore store, String id, GstRtspOrigin origin) {
        Map<Protocol, List<Endpoint>> endpoints = new HashMap<>(Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("1", "tcp")),
                Protocol.RTSP, List.of(Endpoint.parse(Integer.toString(origin.port()), "tcp"))));
        if (origin.httpPort() > 0) {
            endpoints.put(Protocol.HTTP, List.of(Endpoint.parse(Integer.toString(origin.httpPort()), "tcp")));
        }
        Backend b = Backend.of(id, "127.0.0.1", endpoints, BackendSource.REGISTER);
        join(store.register(b, Duration.ofMinutes(5)));
    }

    static Optional<String> pinned(StateStore store, String key) {
        return join(store.pinned(key)).map(Backend::id);
    }

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String url(Dataplane d, String path) {
        return "rtsp://127.0.0.1:" + d.port("rtsp") + path;
    }

    static RtspServer rtsp(Dataplane d) {
        return (RtspServer) d.server("rtsp");
    }
}

package io.origincluster.dataplane.rtmp;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.NginxRtmpOrigin;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts in-process data planes for RTMP tests and registers real origins straight into their state store. */
final class RtmpProxyHarness {

    private RtmpProxyHarness() {
    }

    static ProxyConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROXY_RTMP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_SERVER", "127.0.0.1:0",
                "PROXY_HTTP_API", "127.0.0.1:0",
                "PROXY_WEBRTC_SERVER", "127.0.0.1:0",
                "PROXY_SRT_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "127.0.0.1:0",
                "PROXY_RTSP_SERVER", "127.0.0.1:0",
                "PROXY_CONNECT_TIMEOUT", "1s",
                "PROXY_RTMP_HANDSHAKE_TIMEOUT", "3s"));
        env.putAll(extra);
        return ProxyConfig.from(env);
    }

    static Dataplane start(Map<String, String> extra) throws Exception {
        return new Dataplane(config(extra)).start();
    }

    static Dataplane start(Map<String, String> extra, StateStore store) throws Exception {
        return new Dataplane(config(extra), store).start();
    }

    static void register(StateStore store, String id, NginxRtmpOrigin origin) {
        Backend b = Backend.of(id, "127.0.0.1", Map.of(
                Protocol.RTMP, List.of(Endpoint.parse("127.0.0.1:" + origin.rtmpPort(), "tcp")),
                Protocol.HTTP, List.of(Endpoint.parse(String.valueOf(origin.httpPort()), "tcp"))),
                BackendSource.REGISTER);
        join(store.register(b, Duration.ofMinutes(5)));
    }

    static Optional<String> pinnedBackend(StateStore store, String key) {
        return join(store.pinned(key)).map(Backend::id);
    }

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String url(Dataplane d, String stream) {
        return "rtmp://127.0.0.1:" + d.port("rtmp") + "/live/" + stream;
    }

    static RtmpServer rtmp(Dataplane d) {
        return (RtmpServer) d.server("rtmp");
    }
}

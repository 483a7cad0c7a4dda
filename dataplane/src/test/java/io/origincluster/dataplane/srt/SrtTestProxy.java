package io.origincluster.dataplane.srt;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-process data plane on free ports with SRT settings for a test, plus origin registration. */
final class SrtTestProxy implements AutoCloseable {

    final Dataplane dataplane;

    SrtTestProxy(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PROXY_RTMP_SERVER", "0", "PROXY_HTTP_SERVER", "0",
                "PROXY_HTTP_API", "0", "PROXY_WEBRTC_SERVER", "0", "PROXY_SRT_SERVER", "127.0.0.1:0",
                "PROXY_SYSTEM_API", "0", "PROXY_RTSP_SERVER", "0"));
        env.putAll(extra);
        dataplane = new Dataplane(ProxyConfig.from(env)).start();
    }

    int port() {
        return dataplane.port("srt");
    }

    SrtStats stats() {
        return ((SrtServer) dataplane.server("srt")).stats();
    }

    /** Registers an origin whose SRT endpoint is {@code udp://0.0.0.0:port}; {@code maxStreams} 0 = unlimited. */
    void registerOrigin(String id, int port, int maxStreams) {
        Backend b = Backend.of(id, "127.0.0.1",
                Map.of(Protocol.SRT, List.of(Endpoint.parse("udp://0.0.0.0:" + port, "udp"))),
                BackendSource.REGISTER).withCapacity(1, maxStreams);
        dataplane.store().register(b, Duration.ofMinutes(5)).toCompletableFuture().join();
    }

    String url(String streamId, String options) {
        return "srt://127.0.0.1:" + port() + "?streamid=" + streamId + options;
    }

    String pinOf(String key) {
        return dataplane.store().pins().toCompletableFuture().join().get(key);
    }

    @Override
    public void close() {
        dataplane.close();
    }
}

package io.origincluster.dataplane.webrtc;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.state.StateStore;
import java.util.HashMap;
import java.util.Map;

/** Data planes for WebRTC tests: every listener on a free loopback port, extra settings on top. */
final class RelayTestSupport {

    private RelayTestSupport() {
    }

    static Dataplane start(StateStore store, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
                "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.putAll(extra);
        return new Dataplane(ProxyConfig.from(env), store).start();
    }

    static WebRtcRelayServer relay(Dataplane d) {
        return (WebRtcRelayServer) d.server("webrtc");
    }

    static WebRtcRelayServer.Stats stats(Dataplane d) {
        return relay(d).stats().join();
    }
}

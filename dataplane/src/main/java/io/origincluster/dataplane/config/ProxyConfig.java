package io.origincluster.dataplane.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the data plane, parsed and validated once at start. Names and defaults follow the SRS Go proxy
 * where it has them; new settings use the same {@code PROXY_} prefix. Each protocol's settings live in their own
 * record in this package, parsed from the same {@link Env}.
 */
public record ProxyConfig(
        Duration graceQuitTimeout,
        Duration forceQuitTimeout,
        StateSettings state,
        RoutingSettings routing,
        SystemApiSettings systemApi,
        DefaultBackendSettings defaultBackend,
        RtmpSettings rtmp,
        HttpSettings http,
        WebRtcSettings webrtc,
        SrtSettings srt,
        RtspSettings rtsp,
        HitlessSettings hitless,
        ClusterSettings cluster,
        LogSettings log,
        AuthSettings auth,
        TlsSettings tls,
        MetricsSettings metrics,
        TransportSettings transport,
        String description) {

    public static ProxyConfig fromEnvironment() {
        return from(Env.load(Path.of("").toAbsolutePath(), System.getenv()));
    }

    public static ProxyConfig from(Map<String, String> env) {
        return from(new Env(env));
    }

    public static ProxyConfig from(Env env) {
        Duration grace = env.duration("PROXY_GRACE_QUIT_TIMEOUT", "20s");
        Duration force = env.duration("PROXY_FORCE_QUIT_TIMEOUT", "30s");
        if (force.compareTo(grace) < 0) {
            throw new ConfigException("PROXY_FORCE_QUIT_TIMEOUT", "must not be shorter than PROXY_GRACE_QUIT_TIMEOUT");
        }
        StateSettings state = StateSettings.from(env);
        RoutingSettings routing = RoutingSettings.from(env);
        SystemApiSettings systemApi = SystemApiSettings.from(env);
        DefaultBackendSettings defaultBackend = DefaultBackendSettings.from(env);
        RtmpSettings rtmp = RtmpSettings.from(env);
        HttpSettings http = HttpSettings.from(env);
        WebRtcSettings webrtc = WebRtcSettings.from(env);
        SrtSettings srt = SrtSettings.from(env);
        RtspSettings rtsp = RtspSettings.from(env);
        HitlessSettings hitless = HitlessSettings.from(env);
        ClusterSettings cluster = ClusterSettings.from(env);
        LogSettings log = LogSettings.from(env);
        AuthSettings auth = AuthSettings.from(env);
        TlsSettings tls = TlsSettings.from(env);
        MetricsSettings metrics = MetricsSettings.from(env);
        TransportSettings transport = TransportSettings.from(env);
        return new ProxyConfig(grace, force, state, routing, systemApi, defaultBackend, rtmp, http, webrtc, srt,
                rtsp, hitless, cluster, log, auth, tls, metrics, transport, env.describe());
    }
}

package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * The RTSP listener ({@code null} when {@code PROXY_RTSP_SERVER=off}); how long a connection may take from accept to
 * PLAY/RECORD; and how long a relaying session may go without a byte either way. The idle default is longer than
 * the 60 s session timeout RTSP servers announce, because a paused client only sends keep-alives every half of it.
 */
public record RtspSettings(InetSocketAddress listen, Duration setupTimeout, Duration idleTimeout) {

    static RtspSettings from(Env env) {
        String v = env.string("PROXY_RTSP_SERVER", "18554").trim().toLowerCase(Locale.ROOT);
        InetSocketAddress listen = v.equals("off") ? null : env.listen("PROXY_RTSP_SERVER", 18554);
        Duration setup = env.duration("PROXY_RTSP_SETUP_TIMEOUT", "10s");
        if (setup.toMillis() < 100) {
            throw new ConfigException("PROXY_RTSP_SETUP_TIMEOUT", "must be at least 100ms");
        }
        Duration idle = env.duration("PROXY_RTSP_IDLE_TIMEOUT", "70s");
        if (idle.toMillis() < 200) {
            throw new ConfigException("PROXY_RTSP_IDLE_TIMEOUT", "must be at least 200ms");
        }
        return new RtspSettings(listen, setup, idle);
    }

    public boolean enabled() {
        return listen != null;
    }
}

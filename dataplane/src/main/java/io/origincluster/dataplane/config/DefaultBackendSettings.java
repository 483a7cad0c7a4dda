package io.origincluster.dataplane.config;

import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One origin configured by environment, for a proxy in front of a single SRS without heartbeat. Ports are kept
 * as the strings given and go through the same endpoint parser as registrations (validated here, at start).
 * Unlike the Go proxy, HTTP defaults to 8080 so HTTP-FLV/HLS work with {@code ENABLED=on} alone.
 */
public record DefaultBackendSettings(boolean enabled, String ip, String rtmp, String http, String api, String rtc,
                                     String srt, String rtsp) {

    static DefaultBackendSettings from(Env env) {
        boolean enabled = env.onOff("PROXY_DEFAULT_BACKEND_ENABLED", false);
        String ip = env.string("PROXY_DEFAULT_BACKEND_IP", "127.0.0.1").trim();
        String rtmp = env.string("PROXY_DEFAULT_BACKEND_RTMP", "1935");
        String http = env.string("PROXY_DEFAULT_BACKEND_HTTP", "8080");
        String api = env.string("PROXY_DEFAULT_BACKEND_API", "1985");
        String rtc = env.string("PROXY_DEFAULT_BACKEND_RTC", "udp://0.0.0.0:8000");
        String srt = env.string("PROXY_DEFAULT_BACKEND_SRT", "udp://0.0.0.0:10080");
        String rtsp = env.string("PROXY_DEFAULT_BACKEND_RTSP", "").trim();
        if (!ip.matches("[A-Za-z0-9.:\\[\\]_-]{1,253}")) {
            throw new ConfigException("PROXY_DEFAULT_BACKEND_IP", "'" + ip + "' is not an IP address or host name");
        }
        DefaultBackendSettings s = new DefaultBackendSettings(enabled, ip, rtmp, http, api, rtc, srt, rtsp);
        s.endpoints();
        return s;
    }

    /**
     * The parsed endpoints; rtmp/http/api/rtsp default to TCP, rtc/srt to UDP, as for a registration. RTSP has no
     * default: without {@code PROXY_DEFAULT_BACKEND_RTSP} the origin gets no RTSP sessions.
     */
    public Map<Protocol, List<Endpoint>> endpoints() {
        Map<Protocol, List<Endpoint>> out = new EnumMap<>(Protocol.class);
        out.put(Protocol.RTMP, List.of(parse("PROXY_DEFAULT_BACKEND_RTMP", rtmp, "tcp")));
        out.put(Protocol.HTTP, List.of(parse("PROXY_DEFAULT_BACKEND_HTTP", http, "tcp")));
        out.put(Protocol.API, List.of(parse("PROXY_DEFAULT_BACKEND_API", api, "tcp")));
        out.put(Protocol.RTC, List.of(parse("PROXY_DEFAULT_BACKEND_RTC", rtc, "udp")));
        out.put(Protocol.SRT, List.of(parse("PROXY_DEFAULT_BACKEND_SRT", srt, "udp")));
        if (!rtsp.isEmpty()) {
            out.put(Protocol.RTSP, List.of(parse("PROXY_DEFAULT_BACKEND_RTSP", rtsp, "tcp")));
        }
        return out;
    }

    private static Endpoint parse(String variable, String value, String transport) {
        try {
            return Endpoint.parse(value, transport);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable, e.getMessage());
        }
    }
}

package io.origincluster.dataplane.config;

/**
 * One origin configured by environment, for a proxy in front of a single SRS without heartbeat. Ports are kept
 * as the strings given so they go through the same endpoint parser as registrations. Unlike the Go proxy, HTTP
 * defaults to 8080 so HTTP-FLV/HLS work with {@code ENABLED=on} alone.
 */
public record DefaultBackendSettings(boolean enabled, String ip, String rtmp, String http, String api, String rtc,
                                     String srt) {

    static DefaultBackendSettings from(Env env) {
        boolean enabled = env.onOff("PROXY_DEFAULT_BACKEND_ENABLED", false);
        String ip = env.string("PROXY_DEFAULT_BACKEND_IP", "127.0.0.1");
        String rtmp = env.string("PROXY_DEFAULT_BACKEND_RTMP", "1935");
        String http = env.string("PROXY_DEFAULT_BACKEND_HTTP", "8080");
        String api = env.string("PROXY_DEFAULT_BACKEND_API", "1985");
        String rtc = env.string("PROXY_DEFAULT_BACKEND_RTC", "udp://0.0.0.0:8000");
        String srt = env.string("PROXY_DEFAULT_BACKEND_SRT", "udp://0.0.0.0:10080");
        return new DefaultBackendSettings(enabled, ip, rtmp, http, api, rtc, srt);
    }
}

package io.origincluster.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nginx.conf of an {@link NginxRtmpOrigin}: one worker, no daemon, everything under its own folder
 * ({@code -p dir}) so nothing touches /etc/nginx. RTMP {@code live on} at {@code /live}, optionally writing HLS
 * (and DASH) into {@code html/live}; an HTTP server over {@code html} (or another root) with nginx-rtmp's stat page
 * at {@code /stat} and nginx's connection counters at {@code /stub_status}.
 *
 * @param hls write HLS (1 s fragments, 6 s playlist); off for load runs, where the disk writes would be noise
 * @param dash write MPEG-DASH at {@code html/live} (HLS, when on, then goes to {@code html/hls-unused}: nginx-rtmp
 *     wants a folder of its own per format)
 * @param httpRoot what the HTTP server serves; null: {@code <dir>/html}, where HLS and DASH are written
 * @param maxConnections nginx's {@code worker_connections}; above 1,024 the worker also raises its open-files limit
 * @param errorLogLevel {@code info} shows every RTMP session (tests read it on failure); {@code warn} for load runs
 */
public record NginxRtmpConfig(String ip, int rtmpPort, int httpPort, List<Integer> moreHttpPorts, boolean hls,
                              boolean dash, Path httpRoot, int maxConnections, String errorLogLevel) {

    public static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private static final int DEFAULT_CONNECTIONS = 1024;

    public NginxRtmpConfig {
        moreHttpPorts = List.copyOf(moreHttpPorts);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
        }
    }

    /** What the tests use: HLS on, 1,024 connections, every session in the error log. */
    public static NginxRtmpConfig defaults(String ip, int rtmpPort, int httpPort) {
        return new NginxRtmpConfig(ip, rtmpPort, httpPort, List.of(), true, false, null, DEFAULT_CONNECTIONS, "info");
    }

    /** The nginx.conf text for an origin whose files live under {@code dir}. */
    public String render(Path dir) {
        String root = httpRoot == null ? dir.resolve("html").toString() : httpRoot.toAbsolutePath().toString();
        String listens = moreHttpPorts.stream().map(p -> "    listen " + ip + ":" + p + ";\n")
                .collect(Collectors.joining());
        return """
                load_module %1$s;
                daemon off;
                master_process off;
                worker_processes 1;
                %2$serror_log %3$s/logs/error.log %4$s;
                pid %3$s/nginx.pid;
                events { worker_connections %5$d; multi_accept on; }
                rtmp {
                  server {
                    listen %6$s:%7$d;
                    chunk_size 4096;
                    application live {
                      live on;
                %8$s    }
                  }
                }
                http {
                  access_log off;
                  sendfile on;
                  tcp_nopush on;
                  keepalive_requests 1000;
                  keepalive_timeout 75s;
                  client_body_temp_path %3$s/tmp/body;
                  proxy_temp_path %3$s/tmp/proxy;
                  fastcgi_temp_path %3$s/tmp/fastcgi;
                  uwsgi_temp_path %3$s/tmp/uwsgi;
                  scgi_temp_path %3$s/tmp/scgi;
                  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; application/dash+xml mpd;
                          video/mp4 m4v; audio/mp4 m4a; }
                  default_type application/octet-stream;
                  server {
                    listen %6$s:%9$d;
                %10$s    root %11$s;
                    add_header Cache-Control no-cache;
                    location /stat { rtmp_stat all; }
                    location = /stub_status { stub_status; }
                  }
                }
                """.formatted(MODULE, openFilesLine(), dir, errorLogLevel, maxConnections, ip, rtmpPort,
                mediaLines(dir), httpPort, listens, root);
    }

    // each connection is a descriptor; the default limit (often 1,024) would cap a load run below its players
    private String openFilesLine() {
        return maxConnections > DEFAULT_CONNECTIONS ? "worker_rlimit_nofile " + (maxConnections + 1000) + ";\n" : "";
    }

    private String mediaLines(Path dir) {
        StringBuilder b = new StringBuilder();
        if (hls) {
            b.append("      hls on;\n      hls_path ").append(dir).append("/html/").append(dash ? "hls-unused" : "live")
                    .append(";\n      hls_fragment 1s;\n      hls_playlist_length 6s;\n");
        }
        if (dash) {
            b.append("      dash on;\n      dash_path ").append(dir)
                    .append("/html/live;\n      dash_fragment 1s;\n      dash_playlist_length 6s;\n");
        }
        return b.toString();
    }
}

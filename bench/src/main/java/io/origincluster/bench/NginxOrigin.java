package io.origincluster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The origin: Debian's nginx with the RTMP module on a loopback port, one worker, live only (no HLS, so its disk
 * writes do not add noise), with enough worker connections for the 10,000-player scenario. The segments scenario
 * also gives it an HTTP server for a fixed set of HLS files.
 */
public final class NginxOrigin implements AutoCloseable {

    private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private final Child child;
    private final int rtmpPort;
    private final int httpPort;

    private NginxOrigin(Child child, int rtmpPort, int httpPort) {
        this.child = child;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
    }

    public static NginxOrigin start(Path workDir) {
        return start(workDir, "nginx-rtmp", "nginx");
    }

    /** One more origin: its own directory and log name (the migration scenario runs two). */
    public static NginxOrigin start(Path workDir, String logName, String dirName) {
        return start(workDir, logName, dirName, null);
    }

    /**
     * As above, plus (when {@code httpRoot} is set) an HTTP server on another loopback port that serves the files
     * under {@code httpRoot} (HLS playlists and segments; keep-alive as nginx's defaults: 1,000 requests or 75 s per
     * connection; sendfile, no access log) and {@code /stub_status}, whose {@code accepts} counter is the number
     * of TCP connections the origin accepted.
     */
    public static NginxOrigin start(Path workDir, String logName, String dirName, Path httpRoot) {
        if (!Files.isRegularFile(Path.of(MODULE))) {
            throw new IllegalStateException("nginx RTMP module missing at " + MODULE
                    + "; run scripts/install-test-deps.sh");
        }
        try {
            Path dir = Files.createDirectories(workDir.resolve(dirName));
            Files.createDirectories(dir.resolve("logs"));
            int port = Child.freeTcp();
            String conf = """
                    load_module %1$s;
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    worker_rlimit_nofile 20000;
                    error_log %2$s/logs/error.log warn;
                    pid %2$s/nginx.pid;
                    events { worker_connections 19000; multi_accept on; }
                    rtmp {
                      server {
                        listen 127.0.0.1:%3$d;
                        chunk_size 4096;
                        application live {
                          live on;
                        }
                      }
                    }
                    """.formatted(MODULE, dir, port);
            int httpPort = 0;
            if (httpRoot != null) {
                httpPort = Child.freeTcp();
                conf += """
                        http {
                          access_log off;
                          sendfile on;
                          tcp_nopush on;
                          keepalive_requests 1000;
                          keepalive_timeout 75s;
                          types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
                          default_type application/octet-stream;
                          client_body_temp_path %1$s/tmp/body;
                          proxy_temp_path %1$s/tmp/proxy;
                          fastcgi_temp_path %1$s/tmp/fastcgi;
                          uwsgi_temp_path %1$s/tmp/uwsgi;
                          scgi_temp_path %1$s/tmp/scgi;
                          server {
                            listen 127.0.0.1:%2$d;
                            root %3$s;
                            location = /stub_status { stub_status; }
                          }
                        }
                        """.formatted(dir, httpPort, httpRoot.toAbsolutePath());
                Files.createDirectories(dir.resolve("tmp"));
            }
            Path file = dir.resolve("nginx.conf");
            Files.writeString(file, conf);
            Child c = Child.start(logName, List.of("nginx", "-p", dir.toString(), "-c", file.toString()),
                    Map.of(), dir, workDir.resolve("logs"));
            c.awaitTcp(port, 10);
            if (httpPort > 0) {
                c.awaitTcp(httpPort, 10);
            }
            return new NginxOrigin(c, port, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    /** The HTTP port, or 0 when started without an HTTP root. */
    public int httpPort() {
        return httpPort;
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    /** SIGKILL: the origin dies without closing anything (an OOM kill, a lost node). */
    public void kill() {
        child.kill();
    }

    @Override
    public void close() {
        child.close();
    }
}

package io.origincluster.dataplane.testpeers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real RTMP origin: Debian's nginx with the RTMP module, on loopback ports, writing HLS into its own folder and
 * serving it over HTTP at {@code /live/<stream>.m3u8}. nginx-rtmp has no HTTP-FLV.
 */
public final class NginxRtmpOrigin implements AutoCloseable {

    private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private final Path dir;
    private final int rtmpPort;
    private final int httpPort;
    private Proc proc;

    private NginxRtmpOrigin(Path dir, int rtmpPort, int httpPort) {
        this.dir = dir;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
    }

    public static NginxRtmpOrigin start() {
        Tools.require("nginx");
        if (!Files.isRegularFile(Path.of(MODULE))) {
            org.junit.jupiter.api.Assertions.fail("nginx RTMP module missing at " + MODULE
                    + "; install libnginx-mod-rtmp (scripts/install-test-deps.sh)");
        }
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "nginx-rtmp-");
            NginxRtmpOrigin o = new NginxRtmpOrigin(dir, Ports.freeTcp(), Ports.freeTcp());
            o.launch();
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() throws IOException {
        Files.createDirectories(dir.resolve("html/live"));
        Files.createDirectories(dir.resolve("logs"));
        String conf = """
                load_module %1$s;
                daemon off;
                master_process off;
                worker_processes 1;
                error_log %2$s/logs/error.log info;
                pid %2$s/nginx.pid;
                events { worker_connections 1024; }
                rtmp {
                  server {
                    listen 127.0.0.1:%3$d;
                    chunk_size 4096;
                    application live {
                      live on;
                      hls on;
                      hls_path %2$s/html/live;
                      hls_fragment 1s;
                      hls_playlist_length 6s;
                    }
                  }
                }
                http {
                  access_log off;
                  client_body_temp_path %2$s/tmp_body;
                  proxy_temp_path %2$s/tmp_proxy;
                  fastcgi_temp_path %2$s/tmp_fcgi;
                  uwsgi_temp_path %2$s/tmp_uwsgi;
                  scgi_temp_path %2$s/tmp_scgi;
                  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
                  server {
                    listen 127.0.0.1:%4$d;
                    root %2$s/html;
                    add_header Cache-Control no-cache;
                  }
                }
                """.formatted(MODULE, dir, rtmpPort, httpPort);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        proc = Proc.start("nginx-rtmp", List.of("nginx", "-p", dir.toString(), "-c", file.toString()));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (accepts(rtmpPort) && accepts(httpPort)) {
                return;
            }
            if (!proc.isAlive()) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("nginx-rtmp did not start: " + proc.output());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path hlsDir() {
        return dir.resolve("html/live");
    }

    /** A body for the system API's register endpoint, in the form a real SRS heartbeat has. */
    public String registerBody(String serverId) {
        return """
                {"device_id":"%1$s","ip":"127.0.0.1","server":"%1$s","service":"svc%2$d","pid":"%3$d",\
                "rtmp":["127.0.0.1:%4$d"],"http":["%5$d"]}""".formatted(serverId, rtmpPort, proc.pid(), rtmpPort,
                httpPort);
    }

    public boolean isAlive() {
        return proc != null && proc.isAlive();
    }

    /** SIGKILL: the origin vanishes without closing anything, as a crashed pod would. */
    public void kill() {
        proc.kill();
    }

    @Override
    public void close() {
        if (proc != null) {
            proc.close();
        }
    }
}

package io.origincluster.e2e;

import io.origincluster.dataplane.testpeers.Proc;
import io.origincluster.dataplane.testpeers.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a simulated origin pod runs: a real nginx-rtmp bound to the pod's own loopback address (127.x.y.z) on the
 * ports of the OriginCluster spec, so every pod has the same ports and a different IP, exactly as the operator
 * registers them. Unlike the toolkit's NginxRtmpOrigin (127.0.0.1, random ports) it also serves nginx-rtmp's stat
 * page, which tells which streams are being published on this origin right now.
 */
public final class PodOrigin implements AutoCloseable {
    private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String ip;
    private final int rtmpPort;
    private final int httpPort;
    private final Path dir;
    private final Proc proc;

    private PodOrigin(String ip, int rtmpPort, int httpPort, Path dir, Proc proc) {
        this.ip = ip;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
        this.dir = dir;
        this.proc = proc;
    }

    /** Starts nginx-rtmp on {@code ip} and returns once its RTMP and HTTP ports accept connections. */
    public static PodOrigin start(String name, String ip, int rtmpPort, int httpPort, int apiPort) {
        Tools.require("nginx");
        if (!Files.isRegularFile(Path.of(MODULE))) {
            org.junit.jupiter.api.Assertions.fail("nginx RTMP module missing at " + MODULE
                    + "; install libnginx-mod-rtmp (scripts/install-test-deps.sh)");
        }
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "pod-" + name + "-");
            Files.createDirectories(dir.resolve("logs"));
            String conf = """
                    load_module %1$s;
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    error_log %2$s/logs/error.log warn;
                    pid %2$s/nginx.pid;
                    events { worker_connections 256; }
                    rtmp {
                      server {
                        listen %3$s:%4$d;
                        chunk_size 4096;
                        application live {
                          live on;
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
                      server {
                        listen %3$s:%5$d;
                        listen %3$s:%6$d;
                        location /stat { rtmp_stat all; }
                      }
                    }
                    """.formatted(MODULE, dir, ip, rtmpPort, httpPort, apiPort);
            Path file = dir.resolve("nginx.conf");
            Files.writeString(file, conf);
            Proc proc = Proc.start("pod-" + name, List.of("nginx", "-p", dir.toString(), "-c", file.toString()));
            PodOrigin o = new PodOrigin(ip, rtmpPort, httpPort, dir, proc);
            o.awaitListening();
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && proc.isAlive()) {
            if (accepts(rtmpPort) && accepts(httpPort)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("nginx-rtmp on " + ip + " did not start: " + proc.output()
                + readQuietly(dir.resolve("logs/error.log")));
    }

    /** What the kubelet's tcpSocket readiness probe on the rtmp port sees. */
    public boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True while a publisher is sending {@code live/<stream>} to this origin. */
    public boolean isPublishing(String stream) {
        if (!proc.isAlive()) {
            return false;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + httpPort + "/stat"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            for (String s : r.body().split("<stream>")) {
                if (s.contains("<name>" + stream + "</name>") && s.contains("<publishing/>")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String ip() {
        return ip;
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public long pid() {
        return proc.pid();
    }

    public boolean isAlive() {
        return proc.isAlive();
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL: the container stops when its pod goes. */
    @Override
    public void close() {
        proc.close();
    }

    @Override
    public String toString() {
        return "nginx-rtmp@" + ip + ":" + rtmpPort;
    }
}

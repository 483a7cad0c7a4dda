package io.origincluster.dataplane.testpeers;

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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real RTMP origin: Debian's nginx with the RTMP module, writing HLS into its own folder and serving it over
 * HTTP at {@code /live/<stream>.m3u8}, and nginx-rtmp's stat page at {@code /stat}. By default on 127.0.0.1 with
 * free ports; a simulated pod binds its own loopback address and the ports of its spec. nginx-rtmp has no
 * HTTP-FLV.
 */
public final class NginxRtmpOrigin implements AutoCloseable {

    private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final Path dir;
    private final String ip;
    private final int rtmpPort;
    private final int httpPort;
    private final List<Integer> moreHttpPorts;
    private boolean dash;
    private Proc proc;

    private NginxRtmpOrigin(String name, Path dir, String ip, int rtmpPort, int httpPort, List<Integer> more) {
        this.name = name;
        this.dir = dir;
        this.ip = ip;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
        this.moreHttpPorts = more;
    }

    public static NginxRtmpOrigin start() {
        return start("nginx-rtmp", "127.0.0.1", Ports.freeTcp(), Ports.freeTcp());
    }

    /** Also writes MPEG-DASH (nginx-rtmp's {@code dash on}) next to the HLS files, served at /live/STREAM.mpd. */
    public static NginxRtmpOrigin startWithDash() {
        return start("nginx-rtmp-dash", "127.0.0.1", Ports.freeTcp(), Ports.freeTcp(), true, new int[0]);
    }

    /**
     * nginx-rtmp on {@code ip} (any 127.x.y.z works on Linux) with RTMP on {@code rtmpPort} and HTTP (HLS, stat) on
     * {@code httpPort} and any {@code moreHttpPorts}; returns once RTMP and HTTP accept connections.
     */
    public static NginxRtmpOrigin start(String name, String ip, int rtmpPort, int httpPort, int... moreHttpPorts) {
        return start(name, ip, rtmpPort, httpPort, false, moreHttpPorts);
    }

    private static NginxRtmpOrigin start(String name, String ip, int rtmpPort, int httpPort, boolean dash,
                                         int[] moreHttpPorts) {
        Tools.require("nginx");
        if (!Files.isRegularFile(Path.of(MODULE))) {
            org.junit.jupiter.api.Assertions.fail("nginx RTMP module missing at " + MODULE
                    + "; install libnginx-mod-rtmp (scripts/install-test-deps.sh)");
        }
        List<Integer> more = new ArrayList<>();
        for (int p : moreHttpPorts) {
            more.add(p);
        }
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name + "-");
            NginxRtmpOrigin o = new NginxRtmpOrigin(name, dir, ip, rtmpPort, httpPort, more);
            o.dash = dash;
            o.launch();
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() throws IOException {
        Files.createDirectories(dir.resolve("html/live"));
        Files.createDirectories(dir.resolve("logs"));
        String extraListens = moreHttpPorts.stream().map(p -> "    listen " + ip + ":" + p + ";")
                .collect(Collectors.joining("\n"));
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
                    listen %3$s:%4$d;
                    chunk_size 4096;
                    application live {
                      live on;
                      hls on;
                      hls_path %2$s/html/%8$s;
                      hls_fragment 1s;
                      hls_playlist_length 6s;
                %7$s
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
                  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; application/dash+xml mpd;
                          video/mp4 m4v; audio/mp4 m4a; }
                  server {
                    listen %3$s:%5$d;
                %6$s
                    root %2$s/html;
                    add_header Cache-Control no-cache;
                    location /stat { rtmp_stat all; }
                  }
                }
                """.formatted(MODULE, dir, ip, rtmpPort, httpPort, extraListens, dash
                ? "dash on; dash_path " + dir + "/html/live; dash_fragment 1s; dash_playlist_length 6s;" : "",
                // nginx wants a path of its own per module: with DASH at /live, HLS goes where nobody reads it
                dash ? "hls-unused" : "live");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        proc = Proc.start(name, List.of("nginx", "-p", dir.toString(), "-c", file.toString()));
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

    /** What a tcpSocket readiness probe on {@code port} sees. */
    public boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True while a publisher is sending {@code live/<stream>} to this origin (nginx-rtmp's stat page). */
    public boolean isPublishing(String stream) {
        if (!isAlive()) {
            return false;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://" + ip + ":" + httpPort + "/stat")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
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

    public Path hlsDir() {
        return dir.resolve("html/live");
    }

    public long pid() {
        return proc.pid();
    }

    /** A body for the system API's register endpoint, in the form a real SRS heartbeat has. */
    public String registerBody(String serverId) {
        return """
                {"device_id":"%1$s","ip":"%6$s","server":"%1$s","service":"svc%2$d","pid":"%3$d",\
                "rtmp":["%6$s:%4$d"],"http":["%5$d"]}""".formatted(serverId, rtmpPort, proc.pid(), rtmpPort,
                httpPort, ip);
    }

    public boolean isAlive() {
        return proc != null && proc.isAlive();
    }

    /** SIGKILL: the origin vanishes without closing anything, as a crashed pod would. */
    public void kill() {
        proc.kill();
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (proc != null) {
            proc.close();
        }
    }

    @Override
    public String toString() {
        return "nginx-rtmp@" + ip + ":" + rtmpPort;
    }
}

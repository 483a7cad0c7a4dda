package io.origincluster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real RTMP origin: Debian's nginx with the RTMP module (see {@link NginxRtmpConfig} for what it serves). By
 * default on 127.0.0.1 with free ports and its folder under {@code target/}; a simulated pod binds its own loopback
 * address and the ports of its spec; the bench puts it in its run folder, live only, sized for 10,000 players.
 * nginx-rtmp has no HTTP-FLV.
 */
public final class NginxRtmpOrigin implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final int START_SECONDS = 10;

    private final String name;
    private final Path dir;
    private final NginxRtmpConfig config;
    private final Proc proc;

    private NginxRtmpOrigin(String name, Path dir, NginxRtmpConfig config, Proc proc) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.proc = proc;
    }

    public static NginxRtmpOrigin start() {
        return builder("nginx-rtmp").start();
    }

    /** Also writes MPEG-DASH (nginx-rtmp's {@code dash on}) next to the HLS files, served at /live/STREAM.mpd. */
    public static NginxRtmpOrigin startWithDash() {
        return builder("nginx-rtmp-dash").dash(true).start();
    }

    /**
     * nginx-rtmp on {@code ip} (any 127.x.y.z works on Linux) with RTMP on {@code rtmpPort} and HTTP (HLS, stat) on
     * {@code httpPort} and any {@code moreHttpPorts}; returns once RTMP and HTTP accept connections.
     */
    public static NginxRtmpOrigin start(String name, String ip, int rtmpPort, int httpPort, int... moreHttpPorts) {
        return builder(name).ip(ip).rtmpPort(rtmpPort).httpPort(httpPort).moreHttpPorts(moreHttpPorts).start();
    }

    /** {@code name} names its folder and its log. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** True while something accepts TCP on {@code port} of this origin's address (what a tcpSocket probe sees). */
    public boolean accepts(int port) {
        return Ports.accepts(config.ip(), port, Duration.ofMillis(200));
    }

    /** True while a publisher is sending {@code live/<stream>} to this origin (nginx-rtmp's stat page). */
    public boolean isPublishing(String stream) {
        if (!isAlive()) {
            return false;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + config.ip() + ":"
                    + config.httpPort() + "/stat")).timeout(Duration.ofSeconds(2)).build(),
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
        return config.ip();
    }

    public int rtmpPort() {
        return config.rtmpPort();
    }

    public int httpPort() {
        return config.httpPort();
    }

    /** Where HLS (or, with DASH on, the MPD and its segments) is written: {@code /live/} over HTTP. */
    public Path hlsDir() {
        return dir.resolve("html/live");
    }

    public long pid() {
        return proc.pid();
    }

    /** A body for the system API's register endpoint, in the form a real SRS heartbeat has. */
    public String registerBody(String serverId) {
        return """
                {"device_id":"%1$s","ip":"%5$s","server":"%1$s","service":"svc%2$d","pid":"%3$d",\
                "rtmp":["%5$s:%2$d"],"http":["%4$d"]}""".formatted(serverId, config.rtmpPort(), proc.pid(),
                config.httpPort(), config.ip());
    }

    public boolean isAlive() {
        return proc.isAlive();
    }

    /** SIGKILL: the origin vanishes without closing anything, as a crashed pod (or an OOM-killed origin) would. */
    public void kill() {
        proc.kill();
    }

    @Override
    public void close() {
        proc.close();
    }

    @Override
    public String toString() {
        return name + "@" + config.ip() + ":" + config.rtmpPort();
    }

    /** The options tests and the bench start an origin with; unset ports are free loopback ports. */
    public static final class Builder {
        private final String name;
        private String ip = "127.0.0.1";
        private int rtmpPort;
        private int httpPort;
        private final List<Integer> moreHttpPorts = new ArrayList<>();
        private boolean hls = true;
        private boolean dash;
        private Path httpRoot;
        private int maxConnections = 1024;
        private String errorLogLevel = "info";
        private Path workDir;

        private Builder(String name) {
            this.name = name;
        }

        public Builder ip(String ip) {
            this.ip = ip;
            return this;
        }

        public Builder rtmpPort(int port) {
            this.rtmpPort = port;
            return this;
        }

        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** More HTTP listeners on the same server (a pod's second port). */
        public Builder moreHttpPorts(int... ports) {
            for (int p : ports) {
                moreHttpPorts.add(p);
            }
            return this;
        }

        public Builder hls(boolean on) {
            this.hls = on;
            return this;
        }

        public Builder dash(boolean on) {
            this.dash = on;
            return this;
        }

        /** Serve these files over HTTP instead of the origin's own {@code html} folder. */
        public Builder httpRoot(Path root) {
            this.httpRoot = root;
            return this;
        }

        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        /**
         * What a load run needs: live only (no HLS or DASH files, whose disk writes would be noise), room for the
         * 10,000-player scenario, and warnings only in the error log (not a line per session).
         */
        public Builder forLoad() {
            return hls(false).dash(false).maxConnections(19000).errorLogLevel("warn");
        }

        public Builder errorLogLevel(String level) {
            this.errorLogLevel = level;
            return this;
        }

        /**
         * Its folder is {@code <workDir>/<name>} and its output {@code <workDir>/logs/<name>.log} (the bench's run
         * folder); unset: a fresh folder under {@code target/} and a log under {@code target/peer-logs}.
         */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** The config this builder would start nginx with. */
        public NginxRtmpConfig config() {
            return new NginxRtmpConfig(ip, rtmpPort, httpPort, moreHttpPorts, hls, dash, httpRoot, maxConnections,
                    errorLogLevel);
        }

        /** Writes the config, starts nginx and returns once its RTMP and HTTP ports accept connections. */
        public NginxRtmpOrigin start() {
            Tools.require("nginx");
            Tools.requireFile(Path.of(NginxRtmpConfig.MODULE), "nginx's RTMP module (Debian libnginx-mod-rtmp)");
            if (rtmpPort == 0) {
                rtmpPort = Ports.freeTcp();
            }
            if (httpPort == 0) {
                httpPort = Ports.freeTcp();
            }
            NginxRtmpConfig config = config();
            try {
                Path dir = workDir == null
                        ? Files.createTempDirectory(Path.of("target").toAbsolutePath(), name + "-")
                        : Files.createDirectories(workDir.toAbsolutePath().resolve(name));
                for (String sub : List.of("html/live", "logs", "tmp")) {
                    Files.createDirectories(dir.resolve(sub));
                }
                Path file = dir.resolve("nginx.conf");
                Files.writeString(file, config.render(dir));
                List<String> cmd = List.of("nginx", "-p", dir.toString(), "-c", file.toString());
                Proc proc = workDir == null ? Proc.start(name, cmd)
                        : Proc.start(name, cmd, Map.of(), dir, workDir.resolve("logs"));
                try {
                    proc.awaitTcp(ip, config.rtmpPort(), START_SECONDS);
                    proc.awaitTcp(ip, config.httpPort(), START_SECONDS);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "\nerror.log:\n"
                            + readQuietly(dir.resolve("logs/error.log")), e);
                }
                return new NginxRtmpOrigin(name, dir, config, proc);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String readQuietly(Path p) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                return "";
            }
        }
    }
}

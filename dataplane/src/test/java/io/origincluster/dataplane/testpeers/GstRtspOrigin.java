package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assertions;

/**
 * A real RTSP origin: GStreamer's gst-rtsp-server driven by {@code src/test/resources/rtsp/gst_rtsp_origin.py}
 * (Debian's python3-gi), on 127.0.0.1 and a free port. Play mounts serve a live H.264 test pattern; record mounts
 * accept ANNOUNCE/RECORD and count the video frames they decode; relay mounts record a publisher and play exactly
 * its frames back to players at the same path (and refuse a DESCRIBE while nobody publishes there).
 */
public final class GstRtspOrigin implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src", "test", "resources", "rtsp", "gst_rtsp_origin.py");
    private static final Pattern RECORDED = Pattern.compile("(?m)^recorded (\\S+) (\\d+)$");

    private final Proc proc;
    private final int port;
    private final int httpPort;

    private GstRtspOrigin(Proc proc, int port, int httpPort) {
        this.proc = proc;
        this.port = port;
        this.httpPort = httpPort;
    }

    /** Fails (never skips) when the GStreamer RTSP server or its Python bindings are missing. */
    public static void require() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            Assertions.fail(PYTHON + " is missing; install the test peers with scripts/install-test-deps.sh");
        }
        try (Proc check = Proc.start("gst-check", List.of(PYTHON, SCRIPT.toAbsolutePath().toString(), "--check"))) {
            if (check.waitFor(30) != 0) {
                Assertions.fail("gst-rtsp-server through python3-gi, or a GStreamer plugin, is missing ("
                        + check.output().trim() + "); install the test peers with scripts/install-test-deps.sh");
            }
        }
    }

    public static GstRtspOrigin start(List<String> playPaths, List<String> recordPaths) {
        return start(playPaths, recordPaths, List.of());
    }

    public static GstRtspOrigin start(List<String> playPaths, List<String> recordPaths, List<String> relayPaths) {
        return start(playPaths, recordPaths, relayPaths, false);
    }

    /**
     * With {@code hls}, the relay paths also write what is published as HLS ({@code PATH.m3u8} and segments), served
     * over HTTP on {@link #httpPort()}: one publish plays over RTSP and over HLS.
     */
    public static GstRtspOrigin start(List<String> playPaths, List<String> recordPaths, List<String> relayPaths,
                                      boolean hls) {
        require();
        int port = Ports.freeTcp();
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT.toAbsolutePath().toString(), Integer.toString(port)));
        playPaths.forEach(p -> cmd.addAll(List.of("--play", p)));
        recordPaths.forEach(p -> cmd.addAll(List.of("--record", p)));
        relayPaths.forEach(p -> cmd.addAll(List.of("--relay", p)));
        int httpPort = 0;
        if (hls) {
            httpPort = Ports.freeTcp();
            Path dir = Path.of("target", "gst-hls-" + port).toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            cmd.addAll(List.of("--hls", Integer.toString(httpPort), dir.toString()));
        }
        Proc p = Proc.start("gst-rtsp-origin", cmd);
        GstRtspOrigin origin = new GstRtspOrigin(p, port, httpPort);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> p.output().contains("ready " + port) || !p.isAlive());
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        if (!p.isAlive()) {
            Assertions.fail("gst-rtsp-origin did not start: " + p.output());
        }
        return origin;
    }

    public int port() {
        return port;
    }

    /** The HTTP port serving the relays' HLS, 0 without it. */
    public int httpPort() {
        return httpPort;
    }

    /** Video frames the record mount at {@code path} decoded (or the relay mount took in) so far. */
    public int recordedFrames(String path) {
        Matcher m = RECORDED.matcher(proc.output());
        int n = 0;
        while (m.find()) {
            if (m.group(1).equals(path)) {
                n = Integer.parseInt(m.group(2));
            }
        }
        return n;
    }

    public String output() {
        return proc.output();
    }

    /** SIGKILL: a crashed origin. */
    public void kill() {
        proc.kill();
    }

    @Override
    public void close() {
        proc.close();
    }
}

package io.origincluster.dataplane.testpeers;

import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assertions;

/**
 * A WHEP origin that sends real media: GStreamer's webrtcbin driven by
 * {@code src/test/resources/webrtc/gst_whep_origin.py} (Debian's python3-gi), answering every WHEP offer with a live
 * VP8 test pattern, on 127.0.0.1 and a free port.
 */
public final class GstWhepOrigin implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src", "test", "resources", "webrtc", "gst_whep_origin.py");

    private final Proc proc;
    private final int port;

    private GstWhepOrigin(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    /** Fails (never skips) when webrtcbin or its Python bindings are missing. */
    public static void require() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            Assertions.fail(PYTHON + " is missing; install the test peers with scripts/install-test-deps.sh");
        }
        try (Proc check = Proc.start("gst-check", List.of(PYTHON, SCRIPT.toAbsolutePath().toString(), "--check"))) {
            if (check.waitFor(30) != 0) {
                Assertions.fail("GStreamer's webrtcbin through python3-gi is missing (" + check.output().trim()
                        + "); install the test peers with scripts/install-test-deps.sh");
            }
        }
    }

    public static GstWhepOrigin start() {
        require();
        int port = Ports.freeTcp();
        Proc p = Proc.start("gst-whep-origin", List.of(PYTHON, SCRIPT.toAbsolutePath().toString(),
                Integer.toString(port)));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> p.output().contains("ready " + port) || !p.isAlive());
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        if (!p.isAlive()) {
            Assertions.fail("gst-whep-origin did not start: " + p.output());
        }
        return new GstWhepOrigin(p, port);
    }

    /** This origin as a registered backend with only an API endpoint (its media ports are ephemeral). */
    public Backend backend(String id) {
        return Backend.of(id, "127.0.0.1", Map.of(Protocol.API, List.of(Endpoint.parse(Integer.toString(port),
                "tcp"))), BackendSource.REGISTER);
    }

    public String output() {
        return proc.output();
    }

    @Override
    public void close() {
        proc.close();
    }
}

package io.origincluster.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it ({@code java -jar dataplane/target/origin-cluster-dataplane.jar}), in a child
 * JVM: start-up failures exit 255 naming the problem, a healthy start serves the register API, and SIGTERM exits 0.
 * Runs in Maven's integration-test phase, after the jar is packaged.
 */
class DataplaneProcessIT {

    private static final Path JAR = Path.of("target", "origin-cluster-dataplane.jar").toAbsolutePath();
    private static final String SRS_BODY = "{\"device_id\":\"origin1\",\"ip\":\"127.0.0.1\",\"server\":\"vid-8l502g3\","
            + "\"service\":\"81c38de7\",\"pid\":\"14391\",\"rtmp\":[\"127.0.0.1:19351\"],\"http\":[\"127.0.0.1:18081\"],"
            + "\"api\":[\"127.0.0.1:19851\"],\"srt\":[\"udp://0.0.0.0:10081\"],\"rtc\":[\"udp://0.0.0.0:18001\"]}";

    @TempDir
    Path workDir;

    private record Run(Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
    }

    private Run launch(Map<String, String> env) throws IOException {
        return launch(List.of(), env);
    }

    /** The jar with its stdout a pipe this test does not read (stderr goes to the log file). */
    private Run launchWithUnreadStdout(Map<String, String> env) throws IOException {
        ProcessBuilder pb = builder(List.of(), env);
        Path log = logFile();
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(log.toFile());
        return new Run(pb.start(), log);
    }

    /** The jar run through {@code wrapper} (a command that execs its arguments), e.g. a seccomp filter. */
    private Run launch(List<String> wrapper, Map<String, String> env) throws IOException {
        ProcessBuilder pb = builder(wrapper, env);
        Path log = logFile();
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new Run(pb.start(), log);
    }

    private static Path logFile() throws IOException {
        return Files.createDirectories(Path.of("target", "peer-logs")).resolve("dataplane-" + System.nanoTime()
                + ".log");
    }

    private ProcessBuilder builder(List<String> wrapper, Map<String, String> env) {
        assertThat(JAR).as("the jar is built by 'mvn package' before this integration test").isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(wrapper);
        command.addAll(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PROXY_"));
        for (String name : List.of("PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API", "PROXY_WEBRTC_SERVER",
                "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER")) {
            pb.environment().put(name, "127.0.0.1:0");
        }
        pb.environment().putAll(env);
        return pb.directory(workDir.toFile());
    }

    private static int exitCode(Run run, int seconds) throws Exception {
        if (!run.process().waitFor(seconds, TimeUnit.SECONDS)) {
            run.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("process did not exit within " + seconds + "s: " + run.output());
        }
        return run.process().exitValue();
    }

    @Test
    void anInvalidSettingExits255NamingTheVariable() throws Exception {
        Run run = launch(Map.of("PROXY_REGISTER_TTL", "forever"));
        assertThat(exitCode(run, 30)).as(run.output()).isEqualTo(255);
        assertThat(run.output()).contains("PROXY_REGISTER_TTL").contains("invalid configuration");
    }

    @Test
    void anInvalidSettingInDotEnvExits255NamingTheVariable() throws Exception {
        Files.writeString(workDir.resolve(".env"), "# local settings\nPROXY_LOAD_BALANCER_TYPE=mesh\n");
        Run run = launch(Map.of());
        assertThat(exitCode(run, 30)).as(run.output()).isEqualTo(255);
        assertThat(run.output()).contains("PROXY_LOAD_BALANCER_TYPE").contains("mesh");
    }

    @Test
    void aTakenPortExits255() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = launch(Map.of("PROXY_SYSTEM_API", "127.0.0.1:" + taken.getLocalPort()));
            assertThat(exitCode(run, 30)).as(run.output()).isEqualTo(255);
            assertThat(run.output()).contains("start-up failed").contains("system-api listener cannot start")
                    .contains("Address already in use");
        }
    }

    @Test
    void anUnreachableRedisExits255() throws Exception {
        int closed = Ports.freeTcp();
        Run run = launch(Map.of("PROXY_LOAD_BALANCER_TYPE", "redis", "PROXY_REDIS_HOST", "127.0.0.1",
                "PROXY_REDIS_PORT", Integer.toString(closed), "PROXY_REDIS_PASSWORD", "hunter2"));
        assertThat(exitCode(run, 30)).as(run.output()).isEqualTo(255);
        assertThat(run.output()).contains("start-up failed").contains("Redis").doesNotContain("hunter2");
    }

    /** Polls {@code /api/v1/versions} until the process answers; fails with its log if it never does. */
    private static String versions(Run run, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && run.process().isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/versions")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no answer from the system API: " + run.output());
    }

    @Test
    void theShadedJarCarriesAndLoadsTheIoUringTransport() throws Exception {
        int port = Ports.freeTcp();
        Run run = launch(Map.of("PROXY_SYSTEM_API", "127.0.0.1:" + port, "PROXY_IO_TRANSPORT", "io_uring"));
        try {
            assertThat(versions(run, port)).contains("\"ioTransport\":\"io_uring\"");
            assertThat(run.output()).contains("io transport").contains("transport=\"io_uring\"");
            run.process().destroy();
            assertThat(exitCode(run, 30)).as(run.output()).isZero();
        } finally {
            run.process().destroyForcibly();
        }
    }

    /**
     * Docker's default seccomp profile and containerd's RuntimeDefault answer io_uring_setup with EPERM; the same
     * filter here (python3 and prctl, no container engine needed) makes Netty's real probe fail.
     */
    @Test
    void whereSeccompRefusesIoUringANamedIoUringStopsStartUpAndAutoStillStarts() throws Exception {
        Tools.require("python3");
        List<String> denyIoUring = List.of("python3",
                Path.of("src", "test", "resources", "seccomp", "deny_io_uring.py").toAbsolutePath().toString());
        Run named = launch(denyIoUring, Map.of("PROXY_IO_TRANSPORT", "io_uring"));
        assertThat(exitCode(named, 30)).as(named.output()).isEqualTo(255);
        assertThat(named.output()).contains("invalid configuration: PROXY_IO_TRANSPORT: io_uring does not work here")
                .contains("Operation not permitted");

        int port = Ports.freeTcp();
        Run auto = launch(denyIoUring, Map.of("PROXY_SYSTEM_API", "127.0.0.1:" + port));
        try {
            String body = versions(auto, port);
            assertThat(body).doesNotContain("\"ioTransport\":\"io_uring\"").contains("\"ioTransport\":\"");
            assertThat(auto.output()).contains("io transport");
            auto.process().destroy();
            assertThat(exitCode(auto, 30)).as(auto.output()).isZero();
        } finally {
            auto.process().destroyForcibly();
        }
    }

    @Test
    void servesTheRegisterApiAndExits0OnSigterm() throws Exception {
        int port = Ports.freeTcp();
        int httpPort = Ports.freeTcp();
        Run run = launch(Map.of("PROXY_SYSTEM_API", "127.0.0.1:" + port, "PROXY_REDIS_PASSWORD", "hunter2",
                "PROXY_HTTP_SERVER", "127.0.0.1:" + httpPort));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            String base = "http://127.0.0.1:" + port;
            awaitReady(http, base, run);
            HttpResponse<String> reg = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/srs/register"))
                    .POST(HttpRequest.BodyPublishers.ofString(SRS_BODY)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reg.statusCode()).isEqualTo(200);
            assertThat(reg.body()).startsWith("{\"code\":0,\"pid\":\"" + run.process().pid() + "\"");
            String origins = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/origins")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(origins).contains("vid-8l502g3-81c38de7-14391");
            // the console and the player pages are read from inside the shaded jar
            HttpResponse<String> console = http.send(HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(console.statusCode()).isEqualTo(200);
            assertThat(console.body()).contains("console.js");
            String players = "http://127.0.0.1:" + httpPort + "/players/";
            assertThat(http.send(HttpRequest.newBuilder(URI.create(players + "srs_player.html")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("js/mpegts.js");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(players + "js/hls.light.min.js")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

            run.process().destroy(); // SIGTERM
            assertThat(exitCode(run, 30)).as(run.output()).isZero();
            assertThat(run.output()).contains("origin registered").contains("stopped")
                    .contains("PROXY_REDIS_PASSWORD=******").doesNotContain("hunter2");
        } finally {
            run.process().destroyForcibly();
        }
    }

    /**
     * A log collector that stops reading the container's stdout fills the pipe. Logging must not then stop the
     * event loops: every request is still answered, and the lines that did not fit are counted.
     */
    @Test
    void aStdoutNobodyReadsCostsLogLinesNotService() throws Exception {
        int system = Ports.freeTcp();
        int httpPort = Ports.freeTcp();
        // debug: each malformed request below logs a line on the event loop that answers it
        Run run = launchWithUnreadStdout(Map.of("PROXY_SYSTEM_API", "127.0.0.1:" + system,
                "PROXY_HTTP_SERVER", "127.0.0.1:" + httpPort, "PROXY_LOG_LEVEL", "debug"));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            String base = "http://127.0.0.1:" + system;
            awaitReady(http, base, run);
            // a line of about 150 bytes per request: more than the log queue (8,192 lines) and a pipe's 64 KiB hold
            int requests = 12_000;
            for (int i = 0; i < requests; i++) {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", httpPort), 2000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] head = s.getInputStream().readNBytes(12);
                    assertThat(new String(head, StandardCharsets.US_ASCII)).as("answer to request %d", i)
                            .isEqualTo("HTTP/1.1 400");
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("request " + i + " was not answered within 5 s: the event loop waits "
                            + "for stdout", e);
                }
            }
            assertThat(metric(http, base, "origincluster_log_lines_dropped_total")).isGreaterThan(0);

            // still unread: stopping must not wait for stdout either (the lines queued at exit are lost)
            run.process().destroy();
            assertThat(exitCode(run, 30)).as(run.output()).isZero();
        } finally {
            run.process().destroyForcibly();
        }
    }

    /**
     * On a machine with two CPUs the JDK's common pool has one thread, and each JDK HttpClient call would then start
     * a thread of its own. Auth hook calls (one per admission) must reuse threads instead.
     */
    @Test
    void authHookCallsDoNotStartAThreadEachOnTwoCpus() throws Exception {
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        int system = Ports.freeTcp();
        int httpPort = Ports.freeTcp();
        Run run = launch(Map.of("JAVA_TOOL_OPTIONS", "-XX:ActiveProcessorCount=2",
                "PROXY_SYSTEM_API", "127.0.0.1:" + system, "PROXY_HTTP_SERVER", "127.0.0.1:" + httpPort,
                "PROXY_AUTH", "http", "PROXY_AUTH_HOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/",
                "PROXY_AUTH_HOOK_CACHE_TTL", "0s"));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            String base = "http://127.0.0.1:" + system;
            awaitReady(http, base, run);
            double before = metric(http, base, "jvm_threads_started_threads_total");
            int admissions = 200;
            for (int i = 0; i < admissions; i++) {
                // admitted by the hook, then 503: no origin is registered
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/live/s" + i
                        + ".flv")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                assertThat(status).as("request %d", i).isEqualTo(503);
            }
            double started = metric(http, base, "jvm_threads_started_threads_total") - before;
            assertThat(started).as("threads the proxy started for %d hook calls", admissions).isLessThan(20);
        } finally {
            run.process().destroyForcibly();
            hook.stop(0);
        }
    }

    /** One sample of the system API's {@code /metrics}; fails naming the page when the metric is not on it. */
    private static double metric(HttpClient http, String base, String name) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.eE+]+)$").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void awaitReady(HttpClient http, String base, Run run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int ready = 0;
        while (ready != 200 && System.nanoTime() < deadline && run.process().isAlive()) {
            try {
                ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertThat(ready).as(run.output()).isEqualTo(200);
    }
}

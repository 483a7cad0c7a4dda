package io.origincluster.bench;

import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data plane under test as its own JVM ({@code java -jar origin-cluster-dataplane.jar}), so its CPU time and
 * memory are its own. Every listener is on a free loopback port; the origin is the configured default backend;
 * state lives in a real Redis (PROXY_LOAD_BALANCER_TYPE=redis), whose call counters the harness reads.
 */
public final class ProxyProcess implements AutoCloseable {

    /** System property naming the java executable for the proxy. */
    public static final String JAVA_PROPERTY = "origincluster.bench.proxyJava";

    private final Proc child;
    private final int rtmpPort;
    private final int srtPort;
    private final int systemApiPort;
    private final int httpPort;

    private ProxyProcess(Proc child, int rtmpPort, int srtPort, int systemApiPort, int httpPort) {
        this.child = child;
        this.rtmpPort = rtmpPort;
        this.srtPort = srtPort;
        this.systemApiPort = systemApiPort;
        this.httpPort = httpPort;
    }

    public static ProxyProcess start(Path jar, List<String> javaOpts, Path workDir, int originRtmpPort,
                                     int originSrtPort, int redisPort, Map<String, String> extraEnv) {
        return start("proxy", jar, javaOpts, workDir, originRtmpPort, originSrtPort, redisPort, extraEnv);
    }

    /**
     * As above, with its own log and directory name; {@code originRtmpPort} 0 starts it without a default backend
     * (origins then register through the system API, as SRS does).
     */
    public static ProxyProcess start(String name, Path jar, List<String> javaOpts, Path workDir, int originRtmpPort,
                                     int originSrtPort, int redisPort, Map<String, String> extraEnv) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no proxy jar at " + jar + "; scripts/bench builds it");
        }
        int rtmp = Ports.freeTcp();
        int srt = Ports.freeUdp();
        int systemApi = Ports.freeTcp();
        int http = Ports.freeTcp();
        Map<String, String> env = new HashMap<>();
        env.put("PROXY_RTMP_SERVER", "127.0.0.1:" + rtmp);
        env.put("PROXY_HTTP_SERVER", "127.0.0.1:" + http);
        env.put("PROXY_HTTP_API", "127.0.0.1:" + Ports.freeTcp());
        env.put("PROXY_WEBRTC_SERVER", "127.0.0.1:" + Ports.freeUdp());
        env.put("PROXY_SRT_SERVER", "127.0.0.1:" + srt);
        env.put("PROXY_SYSTEM_API", "127.0.0.1:" + systemApi);
        env.put("PROXY_RTSP_SERVER", "off");
        if (originRtmpPort > 0) {
            env.put("PROXY_DEFAULT_BACKEND_ENABLED", "on");
            env.put("PROXY_DEFAULT_BACKEND_IP", "127.0.0.1");
            env.put("PROXY_DEFAULT_BACKEND_RTMP", Integer.toString(originRtmpPort));
            env.put("PROXY_DEFAULT_BACKEND_SRT", "udp://127.0.0.1:" + originSrtPort);
        }
        env.put("PROXY_LOAD_BALANCER_TYPE", "redis");
        env.put("PROXY_REDIS_HOST", "127.0.0.1");
        env.put("PROXY_REDIS_PORT", Integer.toString(redisPort));
        env.put("PROXY_CLUSTER_ID", "bench");
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>();
        // the bench's --proxy-java (another JDK for the proxy alone), else the harness's own java
        cmd.add(System.getProperty(JAVA_PROPERTY, Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(javaOpts);
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        Path dir = workDir.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Proc c = Proc.start(name, cmd, env, dir, workDir.resolve("logs"));
        c.awaitTcp(rtmp, 60);
        c.awaitTcp(systemApi, 30);
        c.awaitTcp(http, 30);
        return new ProxyProcess(c, rtmp, srt, systemApi, http);
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    public int srtPort() {
        return srtPort;
    }

    public int systemApiPort() {
        return systemApiPort;
    }

    /** The HTTP stream listener (FLV, TS, HLS, DASH). */
    public int httpPort() {
        return httpPort;
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    public Path log() {
        return child.log();
    }

    @Override
    public void close() {
        child.close();
    }
}

package io.origincluster.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SRT throughput: srt-live-transmit as the origin listener (its output read and counted by the harness) and as the
 * publishing caller (fed 1316-byte chunks, 7 TS packets, at a fixed bitrate from the harness), connected directly
 * or through the proxy's SRT port. Bytes per second arriving at the origin are the figure.
 */
record SrtScenario(double mbps, int warmupSeconds, int durationSeconds) {

    static final int CHUNK = 1316;

    static SrtScenario from(BenchMain.Options o) {
        return new SrtScenario(o.decimal("srt.mbps", 20), o.integer("srt.warmup", 3), o.integer("srt.duration", 10));
    }

    String describe() {
        return String.format("srt: 1 publisher, %s in %d-byte chunks, warm-up %d s, window %d s",
                Report.bits(mbps * 1e6), CHUNK, warmupSeconds, durationSeconds);
    }

    record Result(String label, double seconds, long fedBytes, long originBytes, double proxyCpu, long proxyRss) {
        double originBitsPerSecond() {
            return originBytes * 8 / seconds;
        }
    }

    Result run(String label, int targetPort, int originPort, Path work, RtmpScenario.Env env) throws IOException {
        AtomicLong atOrigin = new AtomicLong();
        AtomicLong fed = new AtomicLong();
        Process origin = new ProcessBuilder(List.of("stdbuf", "-o0", "srt-live-transmit", "-a:no", "-ll:error",
                "srt://127.0.0.1:" + originPort + "?mode=listener", "file://con"))
                .redirectError(work.resolve("logs/srt-origin-" + label + ".log").toFile()).start();
        Process caller = null;
        Thread counter = null;
        Thread feeder = null;
        try {
            counter = drain(origin.getInputStream(), atOrigin);
            awaitUdpBound(originPort, 5);
            caller = new ProcessBuilder(List.of("srt-live-transmit", "-a:no", "-ll:error", "-chunk:" + CHUNK,
                    "file://con", "srt://127.0.0.1:" + targetPort + "?streamid=#!::r=live/srtbench,m=publish"))
                    .redirectOutput(work.resolve("logs/srt-caller-" + label + ".log").toFile())
                    .redirectErrorStream(true).start();
            feeder = feed(caller.getOutputStream(), fed);
            Pause.millis(1000L + warmupSeconds * 1000L);
            long o0 = atOrigin.get();
            long f0 = fed.get();
            double cpu0 = env.proxyCpu();
            long t0 = System.nanoTime();
            Pause.millis(durationSeconds * 1000L);
            long t1 = System.nanoTime();
            return new Result(label, (t1 - t0) / 1e9, fed.get() - f0, atOrigin.get() - o0, env.proxyCpu() - cpu0,
                    env.proxyRss());
        } finally {
            if (feeder != null) {
                feeder.interrupt();
            }
            stop(caller);
            stop(origin);
            if (counter != null) {
                counter.interrupt();
            }
        }
    }

    private Thread feed(OutputStream out, AtomicLong fed) {
        Thread t = new Thread(() -> {
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; i < CHUNK; i += 188) {
                chunk[i] = 0x47;
            }
            double bytesPerNano = mbps * 1e6 / 8 / 1e9;
            long start = System.nanoTime();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    long due = (long) ((System.nanoTime() - start) * bytesPerNano);
                    while (fed.get() + CHUNK <= due) {
                        out.write(chunk);
                        fed.addAndGet(CHUNK);
                    }
                    out.flush();
                    Thread.sleep(2);
                }
            } catch (IOException | InterruptedException stopped) {
                // the caller exited or the phase ended
            }
        }, "srt-feeder");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread drain(InputStream in, AtomicLong count) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    count.addAndGet(n);
                }
            } catch (IOException closed) {
                // the origin exited
            }
        }, "srt-origin-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Waits for srt-live-transmit to bind {@code port}, reading the kernel's socket table: probing with a bind of
     * our own could take the port for an instant and make the peer's bind fail.
     */
    private static void awaitUdpBound(int port, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String suffix = String.format(":%04X", port);
        while (System.nanoTime() < deadline) {
            try {
                for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/net/udp"))) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length > 1 && cols[1].endsWith(suffix)) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read /proc/net/udp", e);
            }
            Pause.millis(50);
        }
        throw new IllegalStateException("srt-live-transmit did not bind udp " + port);
    }

    private static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    static void print(PrintStream out, Result direct, Result proxy) {
        for (Result r : new Result[] {direct, proxy}) {
            out.printf("%-8s fed %s, at origin %s (%.1f %% of fed), proxy cpu %.2f s, proxy rss %s%n", r.label(),
                    Report.bits(r.fedBytes() * 8 / r.seconds()), Report.bits(r.originBitsPerSecond()),
                    r.fedBytes() > 0 ? 100.0 * r.originBytes() / r.fedBytes() : 0, r.proxyCpu(),
                    Report.mib(r.proxyRss()));
        }
        out.printf("ratio    srt throughput at origin proxy/direct = %.3f   (target >= 0.95)%n",
                direct.originBytes() > 0 ? proxy.originBitsPerSecond() / direct.originBitsPerSecond() : 0);
        out.flush();
    }
}

package io.origincluster.bench;

import io.netty.channel.Channel;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HTTP-FLV or HTTP-TS live relay (the {@code httpflv} scenario, {@code httpflv.format=flv|ts}): P players of S
 * streams from a live origin in the harness ({@link LiveStreamOrigin}, fan-out by the origin), directly and through
 * a proxy of its own in the same run. Per phase: bytes and media units (FLV tags, TS packets) the players received,
 * proxy CPU per GiB relayed, and time to first byte (response head) and to the first whole unit of probe players
 * opened one at a time during the window; the proxy phase reports what it adds over direct.
 *
 * <p>With {@code httpflv.cold=N} it measures a fresh proxy instead: no pre-warm, the players start as soon as the
 * proxy listens, and its CPU and the bytes relayed are counted in 10 s slices over its first N seconds, then over a
 * window of {@code duration} s after that (the warmed figure of the same process) for the ratio.
 */
final class HttpLiveScenario {

    static final int COLD_SLICE_SECONDS = 10;

    private final int streams;
    private final int players;
    private final int kbps;
    private final int batchMs;
    private final int warmupSeconds;
    private final int durationSeconds;
    private final int probeMillis;
    private final int rounds;
    private final int clientThreads;
    private final int prewarm;
    private final LiveStreamOrigin.Format format;
    private final int coldSeconds;

    HttpLiveScenario(int streams, int players, int kbps, int batchMs, int warmupSeconds, int durationSeconds,
                     int probeMillis, int rounds, int clientThreads, int prewarm, LiveStreamOrigin.Format format,
                     int coldSeconds) {
        this.prewarm = prewarm;
        this.format = format;
        this.coldSeconds = coldSeconds;
        this.streams = streams;
        this.players = players;
        this.kbps = kbps;
        this.batchMs = batchMs;
        this.warmupSeconds = warmupSeconds;
        this.durationSeconds = durationSeconds;
        this.probeMillis = probeMillis;
        this.rounds = Math.max(1, rounds);
        this.clientThreads = clientThreads;
    }

    static HttpLiveScenario from(BenchMain.Options o) {
        int cold = o.integer("httpflv.cold", 0);
        if (cold < 0 || cold % COLD_SLICE_SECONDS != 0) {
            throw new IllegalArgumentException("--httpflv.cold takes seconds in whole " + COLD_SLICE_SECONDS
                    + " s slices (0 = off), got " + cold);
        }
        return new HttpLiveScenario(o.integer("httpflv.streams", 4), o.integer("httpflv.players", 200),
                o.integer("httpflv.kbps", 1000), o.integer("httpflv.batch", 350), o.integer("httpflv.warmup", 15),
                o.integer("httpflv.duration", 20),
                o.integer("httpflv.probe", 50), o.integer("httpflv.rounds", 2), o.integer("client-threads", 2),
                o.integer("httpflv.prewarm", cold > 0 ? 0 : 3000),
                LiveStreamOrigin.Format.of(o.string("httpflv.format", "flv")), cold);
    }

    private String unitName() {
        return format == LiveStreamOrigin.Format.FLV ? "tag" : "packet";
    }

    String describe() {
        String what = format == LiveStreamOrigin.Format.FLV ? "HTTP-FLV" : "HTTP-TS";
        if (coldSeconds > 0) {
            return String.format("httpflv (%s), cold: %d %s players of %d live streams (%d kbit/s each) from an origin "
                            + "in the harness sending every %d ms, through a fresh proxy (pre-warm %d sessions); "
                            + "proxy CPU and bytes in %d s slices over its first %d s, then a %d s window",
                    format.extension, players, what, streams, kbps, batchMs, prewarm, COLD_SLICE_SECONDS,
                    coldSeconds, durationSeconds);
        }
        return String.format("httpflv (%s): %d %s players of %d live streams (%d kbit/s each, a keyframe a second) "
                        + "from an origin in the harness sending every %d ms, directly and through a proxy; warm-up "
                        + "%d s, window %d s, then a first-byte probe every %d ms for as long; %d round(s); pre-warm %d "
                        + "sessions", format.extension, players, what, streams, kbps, batchMs, warmupSeconds,
                durationSeconds, probeMillis, rounds, prewarm);
    }

    record Phase(String label, double seconds, long bytes, long units, long errors, long ended, List<String> samples,
                 long headP50, long headP99, long unitP50, long unitP99, long probes, double proxyCpu,
                 double proxySystemCpu, double proxyCpuPerProbe, long originSlowClosed) {

        double cpuPerGib() {
            return bytes > 0 ? proxyCpu / (bytes / 1073741824.0) : Double.NaN;
        }
    }

    void run(PrintStream out, Path work, RedisServer redis, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv) throws InterruptedException {
        try (LiveStreamOrigin origin = LiveStreamOrigin.start(streams, kbps, batchMs);
             LivePlayers load = new LivePlayers(clientThreads, format)) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-httpflv");
            env.put("PROXY_DEFAULT_BACKEND_HTTP", Integer.toString(origin.port()));
            env.putAll(proxyEnv);
            try (ProxyProcess proxy = ProxyProcess.start("proxy-httpflv", proxyJar, javaOpts, work, Ports.freeTcp(),
                    Ports.freeUdp(), redis.port(), env)) {
                out.printf("   origin (in the harness) http 127.0.0.1:%d; proxy pid %d http 127.0.0.1:%d (%s), java "
                                + "opts %s%n", origin.port(), proxy.pid(), proxy.httpPort(), proxy.log(), javaOpts);
                if (coldSeconds > 0) {
                    cold(out, load, origin, proxy);
                    stopAndWait(out, proxy);
                    return;
                }
                if (prewarm > 0) {
                    // the session path (accept, route, dial, heads) is only warm after thousands of sessions:
                    // without this the first-byte probes measure the JIT compiler, not the relay
                    for (int port : new int[] {origin.port(), proxy.httpPort()}) {
                        long t = System.nanoTime();
                        load.open();
                        for (int i = 0; i < prewarm; i++) {
                            load.probe(port, i % streams);
                        }
                        load.closeWindow();
                        out.printf("   pre-warm: %d sessions against %s in %.1f s%n", prewarm,
                                port == origin.port() ? "the origin" : "the proxy", (System.nanoTime() - t) / 1e9);
                    }
                }
                List<Phase[]> results = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    String r = rounds > 1 ? " " + round : "";
                    Phase d = phase(out, load, origin, "direct" + r, origin.port(), -1);
                    Phase p = phase(out, load, origin, "proxy" + r, proxy.httpPort(), proxy.pid());
                    if (!proxy.isAlive()) {
                        throw new IllegalStateException("the proxy exited; see " + proxy.log());
                    }
                    results.add(new Phase[] {d, p});
                }
                print(out, results);
            }
        }
    }

    /**
     * The fresh proxy's first {@code coldSeconds}: players on at once, CPU and bytes per slice; then a window of
     * {@code duration} s on the same process for the warmed figure.
     */
    private void cold(PrintStream out, LivePlayers load, LiveStreamOrigin origin, ProxyProcess proxy)
            throws InterruptedException {
        long pid = proxy.pid();
        double startup = ProcStats.cpuSeconds(pid);
        out.printf("   [%s] cold: proxy listening after %.2f CPU-s of start-up; %d players on, load average %s%n",
                java.time.Instant.now(), startup, players, ProcStats.loadAverage());
        List<double[]> slices = new ArrayList<>(); // seconds, bytes, cpu, system cpu
        LivePlayers.Window w = load.open();
        List<Channel> open = load.start(proxy.httpPort(), streams, players);
        long base = System.nanoTime();
        try {
            double cpu0 = startup;
            double sys0 = ProcStats.systemSeconds(pid);
            long bytes0 = 0;
            long t0 = base;
            for (int i = 1; i <= coldSeconds / COLD_SLICE_SECONDS; i++) {
                long until = base + i * COLD_SLICE_SECONDS * 1_000_000_000L;
                Pause.millis(Math.max(0, (until - System.nanoTime()) / 1_000_000));
                long t = System.nanoTime();
                double cpu = ProcStats.cpuSeconds(pid);
                double sys = ProcStats.systemSeconds(pid);
                long bytes = w.bytes.sum();
                slices.add(new double[] {(t - t0) / 1e9, bytes - bytes0, cpu - cpu0, sys - sys0});
                cpu0 = cpu;
                sys0 = sys;
                bytes0 = bytes;
                t0 = t;
            }
            long coldErrors = w.errors.sum();
            List<String> samples = new ArrayList<>(w.errorSamples);
            LivePlayers.Window warm = load.open();
            double wc0 = ProcStats.cpuSeconds(pid);
            double ws0 = ProcStats.systemSeconds(pid);
            long wt0 = System.nanoTime();
            Pause.millis(durationSeconds * 1000L);
            load.closeWindow();
            double[] warmed = {(System.nanoTime() - wt0) / 1e9, warm.bytes.sum(), ProcStats.cpuSeconds(pid) - wc0,
                ProcStats.systemSeconds(pid) - ws0};
            samples.addAll(warm.errorSamples);
            if (!proxy.isAlive()) {
                throw new IllegalStateException("the proxy exited; see " + proxy.log());
            }
            printCold(out, slices, warmed, coldErrors + warm.errors.sum(), samples, origin.slowClosed());
        } finally {
            for (Channel ch : open) {
                ch.close();
            }
        }
    }

    /**
     * SIGTERM, then up to a minute for the proxy to exit by itself: a training run's JVM writes its class archive
     * or AOT configuration at exit (-XX:ArchiveClassesAtExit, -XX:AOTMode=record), which takes longer than the
     * few seconds the usual stop allows.
     */
    private static void stopAndWait(PrintStream out, ProxyProcess proxy) {
        long t = System.nanoTime();
        ProcessHandle.of(proxy.pid()).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("   the proxy did not exit within 60 s of SIGTERM: " + e);
            }
        });
        out.printf("   proxy stopped %.1f s after SIGTERM%n", (System.nanoTime() - t) / 1e9);
    }

    static void printCold(PrintStream out, List<double[]> slices, double[] warmed, long errors, List<String> samples,
                          long slowClosed) {
        out.println();
        out.printf("%-12s %8s %12s %9s %9s %8s%n", "slice", "seconds", "throughput", "proxy cpu", "cpu-s/GiB",
                "kernel");
        double seconds = 0;
        double bytes = 0;
        double cpu = 0;
        double sys = 0;
        int from = 0;
        for (double[] s : slices) {
            out.println(coldLine(String.format("%d-%d s", from, from + COLD_SLICE_SECONDS), s));
            from += COLD_SLICE_SECONDS;
            seconds += s[0];
            bytes += s[1];
            cpu += s[2];
            sys += s[3];
        }
        double[] total = {seconds, bytes, cpu, sys};
        out.println(coldLine(String.format("first %d s", from), total));
        out.println(coldLine("then", warmed));
        if (!samples.isEmpty()) {
            out.println("         errors: " + samples);
        }
        out.println("(slices from the moment the players were started on the fresh proxy; throughput and cpu-s/GiB: "
                + "what the players received; kernel = system share of the proxy's CPU; then = the window after it)");
        out.printf("cold: first %d s %.2f CPU-s per GiB, then %.2f; ratio %.2f; errors %d, slow closed %d%n", from,
                cpuPerGib(total), cpuPerGib(warmed), cpuPerGib(total) / cpuPerGib(warmed), errors, slowClosed);
    }

    private static String coldLine(String label, double[] s) {
        return String.format("%-12s %8.1f %12s %8.2fs %9.2f %6.0f %%", label, s[0], Report.bits(s[1] * 8 / s[0]),
                s[2], cpuPerGib(s), s[2] > 0 ? 100 * s[3] / s[2] : 0.0);
    }

    static double cpuPerGib(double[] slice) {
        return slice[1] > 0 ? slice[2] / (slice[1] / 1073741824.0) : Double.NaN;
    }

    private Phase phase(PrintStream out, LivePlayers load, LiveStreamOrigin origin, String label, int port, long pid)
            throws InterruptedException {
        out.printf("   [%s] %s: %d players, warm-up %d s, window %d s, load average %s%n", java.time.Instant.now(),
                label, players, warmupSeconds, durationSeconds, ProcStats.loadAverage());
        List<Channel> open = load.start(port, streams, players);
        try {
            Pause.millis(warmupSeconds * 1000L);
            long slow0 = origin.slowClosed();
            // the relay alone: no probes in this window, so its CPU is the steady players' cost
            double cpu0 = pid > 0 ? ProcStats.cpuSeconds(pid) : Double.NaN;
            double sys0 = pid > 0 ? ProcStats.systemSeconds(pid) : Double.NaN;
            long t0 = System.nanoTime();
            LivePlayers.Window w = load.open();
            Pause.millis(durationSeconds * 1000L);
            load.closeWindow();
            long t1 = System.nanoTime();
            double cpu = pid > 0 ? ProcStats.cpuSeconds(pid) - cpu0 : Double.NaN;
            double sys = pid > 0 ? ProcStats.systemSeconds(pid) - sys0 : Double.NaN;
            // then first-byte probes one at a time, the players still running
            double probeCpu0 = pid > 0 ? ProcStats.cpuSeconds(pid) : Double.NaN;
            long p0 = System.nanoTime();
            LivePlayers.Window pw = load.open();
            long probes = 0;
            long end = p0 + durationSeconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                long next = System.nanoTime() + probeMillis * 1_000_000L;
                load.probe(port, ThreadLocalRandom.current().nextInt(streams));
                probes++;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Pause.millis(wait / 1_000_000);
                }
            }
            load.closeWindow();
            double probeSeconds = (System.nanoTime() - p0) / 1e9;
            double probeCpu = pid > 0 ? ProcStats.cpuSeconds(pid) - probeCpu0 - cpu / ((t1 - t0) / 1e9) * probeSeconds
                    : Double.NaN;
            List<String> samples = new ArrayList<>(w.errorSamples);
            samples.addAll(pw.errorSamples);
            return new Phase(label, (t1 - t0) / 1e9, w.bytes.sum(), w.units.sum(), w.errors.sum() + pw.errors.sum(),
                    w.ended.sum(), samples, pw.head.percentile(0.5), pw.head.percentile(0.99),
                    pw.firstUnit.percentile(0.5), pw.firstUnit.percentile(0.99), probes, cpu, sys,
                    probes > 0 ? probeCpu / probes : Double.NaN, origin.slowClosed() - slow0);
        } finally {
            for (Channel ch : open) {
                ch.close();
            }
            Pause.millis(2000);
        }
    }

    void print(PrintStream out, List<Phase[]> results) {
        String unit = unitName().equals("tag") ? "tag" : "pkt";
        out.println();
        out.printf("%-9s %12s %9s %7s %6s %7s %8s %8s %8s %8s %8s %9s %8s %8s %s%n", "phase", "throughput",
                unit + "s/s", "errors", "ended", "probes", "head p50", "head p99", unit + " p50", unit + " p99",
                "prx cpu", "cpu-s/GiB", "kernel", "ms/probe", "slow closed");
        for (Phase[] pair : results) {
            for (Phase p : pair) {
                boolean proxy = !Double.isNaN(p.proxyCpu());
                out.printf("%-9s %12s %9.0f %7d %6d %7d %8d %8d %8d %8d %8s %9s %8s %8s %d%n", p.label(),
                        Report.bits(p.bytes() * 8 / p.seconds()), p.units() / p.seconds(), p.errors(), p.ended(),
                        p.probes(), p.headP50(), p.headP99(), p.unitP50(), p.unitP99(),
                        proxy ? String.format("%.2fs", p.proxyCpu()) : "-",
                        proxy ? String.format("%.2f", p.cpuPerGib()) : "-",
                        proxy ? String.format("%.0f %%", 100 * p.proxySystemCpu() / p.proxyCpu()) : "-",
                        proxy ? String.format("%.2f", 1000 * p.proxyCpuPerProbe()) : "-", p.originSlowClosed());
                if (!p.samples().isEmpty()) {
                    out.println("         errors (" + p.label() + "): " + p.samples());
                }
            }
        }
        out.println("(throughput, " + unit + "s, CPU: the players alone in the window; then a window of probes, one at "
                + "a time: head = probe's connect start to the response head, " + unit + " = to its first complete "
                + (unit.equals("tag") ? "FLV tag" : "188-byte TS packet") + ", in us; "
                + "ms/probe = proxy CPU per probe session beyond the players' rate; "
                + "cpu-s/GiB = proxy CPU seconds per GiB the players received; kernel = system share of that CPU; "
                + "ended = player responses that ended in the window; slow closed = players the origin dropped)");
        for (Phase[] pair : results) {
            Phase d = pair[0];
            Phase p = pair[1];
            out.printf("%s (%s): proxy %.2f CPU-s per GiB relayed; bytes proxy/direct %.3f; added first byte p50 %+d "
                            + "us, p99 %+d us; added first %s p50 %+d us, p99 %+d us%n", p.label(), format.extension,
                    p.cpuPerGib(), (double) p.bytes() / p.seconds() / (d.bytes() / d.seconds()),
                    p.headP50() - d.headP50(), p.headP99() - d.headP99(), unitName(), p.unitP50() - d.unitP50(),
                    p.unitP99() - d.unitP99());
        }
    }
}

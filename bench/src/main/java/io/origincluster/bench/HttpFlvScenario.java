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
 * HTTP-FLV live relay: P players of S streams from a live FLV origin in the harness ({@link FlvLiveOrigin}, fan-out
 * by the origin), directly and through a proxy of its own in the same run. Per phase: bytes and FLV tags the
 * players received, proxy CPU per GiB relayed, and time to first byte (response head) and to the first FLV tag of
 * probe players opened one at a time during the window; the proxy phase reports what it adds over direct.
 */
final class HttpFlvScenario {

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

    HttpFlvScenario(int streams, int players, int kbps, int batchMs, int warmupSeconds, int durationSeconds,
                    int probeMillis, int rounds, int clientThreads, int prewarm) {
        this.prewarm = prewarm;
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

    static HttpFlvScenario from(BenchMain.Options o) {
        return new HttpFlvScenario(o.integer("httpflv.streams", 4), o.integer("httpflv.players", 200),
                o.integer("httpflv.kbps", 1000), o.integer("httpflv.batch", 350), o.integer("httpflv.warmup", 15),
                o.integer("httpflv.duration", 20),
                o.integer("httpflv.probe", 50), o.integer("httpflv.rounds", 2), o.integer("client-threads", 2),
                o.integer("httpflv.prewarm", 3000));
    }

    String describe() {
        return String.format("httpflv: %d HTTP-FLV players of %d live streams (%d kbit/s each, a keyframe a second) "
                        + "from an origin in the harness sending every %d ms, directly and through a proxy; warm-up "
                        + "%d s, window %d s, then a first-byte probe every %d ms for as long; %d round(s); pre-warm %d "
                        + "sessions", players, streams, kbps, batchMs, warmupSeconds,
                durationSeconds, probeMillis, rounds, prewarm);
    }

    record Phase(String label, double seconds, long bytes, long tags, long errors, long ended, List<String> samples,
                 long headP50, long headP99, long tagP50, long tagP99, long probes, double proxyCpu,
                 double proxySystemCpu, double proxyCpuPerProbe, long originSlowClosed) {

        double cpuPerGib() {
            return bytes > 0 ? proxyCpu / (bytes / 1073741824.0) : Double.NaN;
        }
    }

    void run(PrintStream out, Path work, RedisServer redis, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv) throws InterruptedException {
        try (FlvLiveOrigin origin = FlvLiveOrigin.start(streams, kbps, batchMs);
             FlvPlayers load = new FlvPlayers(clientThreads)) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-httpflv");
            env.put("PROXY_DEFAULT_BACKEND_HTTP", Integer.toString(origin.port()));
            env.putAll(proxyEnv);
            try (ProxyProcess proxy = ProxyProcess.start("proxy-httpflv", proxyJar, javaOpts, work, Ports.freeTcp(),
                    Ports.freeUdp(), redis.port(), env)) {
                out.printf("   origin (in the harness) http 127.0.0.1:%d; proxy pid %d http 127.0.0.1:%d (%s)%n",
                        origin.port(), proxy.pid(), proxy.httpPort(), proxy.log());
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

    private Phase phase(PrintStream out, FlvPlayers load, FlvLiveOrigin origin, String label, int port, long pid)
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
            FlvPlayers.Window w = load.open();
            Pause.millis(durationSeconds * 1000L);
            load.closeWindow();
            long t1 = System.nanoTime();
            double cpu = pid > 0 ? ProcStats.cpuSeconds(pid) - cpu0 : Double.NaN;
            double sys = pid > 0 ? ProcStats.systemSeconds(pid) - sys0 : Double.NaN;
            // then first-byte probes one at a time, the players still running
            double probeCpu0 = pid > 0 ? ProcStats.cpuSeconds(pid) : Double.NaN;
            long p0 = System.nanoTime();
            FlvPlayers.Window pw = load.open();
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
            return new Phase(label, (t1 - t0) / 1e9, w.bytes.sum(), w.tags.sum(), w.errors.sum() + pw.errors.sum(),
                    w.ended.sum(), samples, pw.head.percentile(0.5), pw.head.percentile(0.99),
                    pw.firstTag.percentile(0.5), pw.firstTag.percentile(0.99), probes, cpu, sys,
                    probes > 0 ? probeCpu / probes : Double.NaN, origin.slowClosed() - slow0);
        } finally {
            for (Channel ch : open) {
                ch.close();
            }
            Pause.millis(2000);
        }
    }

    static void print(PrintStream out, List<Phase[]> results) {
        out.println();
        out.printf("%-9s %12s %9s %7s %6s %7s %8s %8s %8s %8s %8s %9s %8s %8s %s%n", "phase", "throughput", "tags/s",
                "errors", "ended", "probes", "head p50", "head p99", "tag p50", "tag p99", "prx cpu", "cpu-s/GiB",
                "kernel", "ms/probe", "slow closed");
        for (Phase[] pair : results) {
            for (Phase p : pair) {
                boolean proxy = !Double.isNaN(p.proxyCpu());
                out.printf("%-9s %12s %9.0f %7d %6d %7d %8d %8d %8d %8d %8s %9s %8s %8s %d%n", p.label(),
                        Report.bits(p.bytes() * 8 / p.seconds()), p.tags() / p.seconds(), p.errors(), p.ended(),
                        p.probes(), p.headP50(), p.headP99(), p.tagP50(), p.tagP99(),
                        proxy ? String.format("%.2fs", p.proxyCpu()) : "-",
                        proxy ? String.format("%.2f", p.cpuPerGib()) : "-",
                        proxy ? String.format("%.0f %%", 100 * p.proxySystemCpu() / p.proxyCpu()) : "-",
                        proxy ? String.format("%.2f", 1000 * p.proxyCpuPerProbe()) : "-", p.originSlowClosed());
                if (!p.samples().isEmpty()) {
                    out.println("         errors (" + p.label() + "): " + p.samples());
                }
            }
        }
        out.println("(throughput, tags, CPU: the players alone in the window; then a window of probes, one at a time: "
                + "head = probe's connect start to the response head, tag = to its first complete FLV tag, in us; "
                + "ms/probe = proxy CPU per probe session beyond the players' rate; "
                + "cpu-s/GiB = proxy CPU seconds per GiB the players received; kernel = system share of that CPU; "
                + "ended = player responses that ended in the window; slow closed = players the origin dropped)");
        for (Phase[] pair : results) {
            Phase d = pair[0];
            Phase p = pair[1];
            out.printf("%s: proxy %.2f CPU-s per GiB relayed; bytes proxy/direct %.3f; added first byte p50 %+d us, "
                            + "p99 %+d us; added first tag p50 %+d us, p99 %+d us%n", p.label(), p.cpuPerGib(),
                    (double) p.bytes() / p.seconds() / (d.bytes() / d.seconds()), p.headP50() - d.headP50(),
                    p.headP99() - d.headP99(), p.tagP50() - d.tagP50(), p.tagP99() - d.tagP99());
        }
    }
}

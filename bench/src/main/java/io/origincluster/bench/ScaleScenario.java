package io.origincluster.bench;

import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One proxy holding many connections at once (issue 15): RTMP players of a few streams from an nginx-rtmp origin
 * plus SRT publishers into an origin that accepts any number of them ({@link SrtManyOrigin}), all through one proxy
 * of its own. Prints players up and refused, SRT sessions up, proxy RSS idle, loaded and after every client left
 * (each also after a {@code jcmd GC.run}; after they left, also {@code scale.settle} s later with no forced GC, which
 * shows what the proxy gives back by itself), RSS per connection, proxy CPU per GiB relayed, GC pauses, and the
 * bytes ratio against the same load directly against the origins in the same run.
 */
final class ScaleScenario {

    private final int streams;
    private final int players;
    private final double fps;
    private final int size;
    private final int srtSessions;
    private final double srtPps;
    private final int warmupSeconds;
    private final int durationSeconds;
    private final int rampSeconds;
    private final boolean direct;
    private final int settleSeconds;

    ScaleScenario(int streams, int players, double fps, int size, int srtSessions, double srtPps, int warmupSeconds,
                  int durationSeconds, int rampSeconds, boolean direct, int settleSeconds) {
        this.streams = streams;
        this.players = players;
        this.fps = fps;
        this.size = size;
        this.srtSessions = srtSessions;
        this.srtPps = srtPps;
        this.warmupSeconds = warmupSeconds;
        this.durationSeconds = durationSeconds;
        this.rampSeconds = rampSeconds;
        this.direct = direct;
        this.settleSeconds = settleSeconds;
    }

    static ScaleScenario from(BenchMain.Options o) {
        return new ScaleScenario(o.integer("scale.streams", 4), o.integer("scale.players", 9000),
                o.decimal("scale.fps", 2), o.integer("scale.size", 2500), o.integer("scale.srt", 1000),
                o.decimal("scale.srtpps", 10), o.integer("scale.warmup", 5), o.integer("scale.duration", 15),
                o.integer("scale.ramp", 300), o.integer("scale.direct", 1) != 0, o.integer("scale.settle", 20));
    }

    String describe() {
        return String.format("scale: %,d RTMP players of %d streams (%s msg/s x %d B each) and %,d SRT publishers "
                        + "(%s packets/s x %d B each) at once through one proxy%s; warm-up %d s, window %d s",
                players, streams, fps, size, srtSessions, srtPps, SrtCallers.PAYLOAD,
                direct ? ", after the same load directly against the origins" : "", warmupSeconds, durationSeconds);
    }

    /** What one phase measured; proxy figures are -1 in the direct phase. */
    record Phase(String label, int playersUp, int playersRefused, double playersRampSeconds, int playersAtWindow,
                 int playersAfterWindow, List<String> samples,
                 int srtUp, int srtRefused, double srtRampSeconds, double seconds, long playerBytes, long srtBytes,
                 double proxyCpu, double proxySystemCpu, double originCpu, double clientCpu,
                 long rssWithPlayers, long rssLoaded, long rssLoadedAfterGc, long peakRss, long fds,
                 GcLog.Pauses windowPauses, String loadAverage) {

        long relayedBytes() {
            return playerBytes + srtBytes;
        }
    }

    void run(PrintStream out, Path work, RedisServer redis, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv, RtmpLoad load) {
        Path gcLog = work.resolve("logs/proxy-scale-gc.log");
        List<String> opts = new ArrayList<>(javaOpts);
        if (opts.stream().noneMatch(s -> s.startsWith("-Xlog:gc"))) {
            opts.add("-Xlog:gc:file=" + gcLog);
        }
        try (NginxRtmpOrigin nginx = NginxRtmpOrigin.builder("nginx-scale").workDir(work).forLoad().start();
             SrtManyOrigin srtOrigin = SrtManyOrigin.start()) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-scale");
            env.putAll(proxyEnv);
            try (ProxyProcess proxy = ProxyProcess.start("proxy-scale", proxyJar, opts, work, nginx.rtmpPort(),
                    srtOrigin.port(), redis.port(), env)) {
                out.printf("   origins: nginx-rtmp 127.0.0.1:%d, SRT (in the harness) udp %d; proxy pid %d rtmp %d "
                                + "srt udp %d, java opts %s, gc log %s%n", nginx.rtmpPort(), srtOrigin.port(),
                        proxy.pid(), proxy.rtmpPort(), proxy.srtPort(), opts, gcLog);
                Phase d = direct ? phase(out, "direct", nginx.rtmpPort(), srtOrigin.port(), load, srtOrigin,
                        nginx.pid(), null, gcLog, null, opts) : null;
                Pause.millis(3000);
                long idleRaw = ProcStats.rss(proxy.pid());
                gcRun(proxy.pid());
                Pause.millis(1000);
                long idle = ProcStats.rss(proxy.pid());
                long idleFds = ProcStats.openFiles(proxy.pid());
                nativeMemory(proxy.pid(), work.resolve("logs/proxy-scale-nmt-idle.txt"), opts);
                out.printf("   proxy idle: rss %s, %s after GC.run; %d fds; load average %s%n", Report.mib(idleRaw),
                        Report.mib(idle), idleFds, ProcStats.loadAverage());
                Phase p = phase(out, "proxy", proxy.rtmpPort(), proxy.srtPort(), load, srtOrigin, nginx.pid(), proxy,
                        gcLog, work.resolve("logs/proxy-scale-nmt-loaded.txt"), opts);
                if (!proxy.isAlive()) {
                    throw new IllegalStateException("the proxy exited; see " + proxy.log());
                }
                // the clients are gone: wait until the proxy has let go of their sockets, then read it twice
                long waited = awaitFds(proxy.pid(), idleFds + 16, 60);
                Pause.millis(2000);
                long afterRaw = ProcStats.rss(proxy.pid());
                // what the proxy gives back by itself (a collector that uncommits when idle), before any forced GC
                StringBuilder series = new StringBuilder();
                for (int t = 10; t <= settleSeconds; t += 10) {
                    Pause.millis(10_000);
                    series.append(String.format(" %d s: %s;", t, Report.mib(ProcStats.rss(proxy.pid()))));
                }
                Pause.millis(settleSeconds % 10 * 1000L);
                long settled = ProcStats.rss(proxy.pid());
                out.printf("   proxy rss with no client, every 10 s:%s%n", series);
                gcRun(proxy.pid());
                Pause.millis(1000);
                long after = ProcStats.rss(proxy.pid());
                nativeMemory(proxy.pid(), work.resolve("logs/proxy-scale-nmt-after.txt"), opts);
                print(out, d, p, idleRaw, idle, afterRaw, settled, after, waited, ProcStats.openFiles(proxy.pid()));
            }
        }
    }

    private Phase phase(PrintStream out, String label, int rtmpPort, int srtPort, RtmpLoad load,
                        SrtManyOrigin srtOrigin, long originPid, ProxyProcess proxy, Path gcLog, Path nmtFile,
                        List<String> opts) {
        LoadStats stats = new LoadStats();
        String prefix = "scale-" + label + "-" + System.currentTimeMillis() % 100000 + "-";
        List<RtmpLoad.Client> all = new ArrayList<>();
        long proxyPid = proxy == null ? -1 : proxy.pid();
        out.printf("   %s: opening %d publishers and %,d players, load average %s%n", label, streams, players,
                ProcStats.loadAverage());
        RtmpLoad.Ramp pubs = load.ramp(streams, i -> load.open(rtmpPort, RtmpLoadClient.Role.PUBLISH, prefix + i,
                stats, fps, size), 60, streams);
        all.addAll(pubs.ready());
        if (pubs.ready().size() < streams) {
            RtmpLoad.closeAll(all);
            throw new IllegalStateException(label + ": publishers failed: " + pubs.failures());
        }
        // every attempt counts: a refused player must show as refused, not stop the ramp
        RtmpLoad.Ramp plays = load.ramp(players, i -> load.open(rtmpPort, RtmpLoadClient.Role.PLAY,
                prefix + (i % streams), stats, 0, 0), rampSeconds, players);
        all.addAll(plays.ready());
        long rssWithPlayers = proxy == null ? -1 : ProcStats.rss(proxyPid);
        out.printf("   %s: %,d players up in %.1f s (%d refused)%s; opening %,d SRT sessions, load average %s%n",
                label, plays.ready().size(), plays.seconds(), plays.failures().size(),
                proxy == null ? "" : ", proxy rss " + Report.mib(rssWithPlayers), srtSessions, ProcStats.loadAverage());
        SrtCallers srt = new SrtCallers(srtPort, srtPps);
        try {
            SrtCallers.Ramp sr = srt.connect(srtSessions, i -> "#!::r=live/" + prefix + "srt" + i + ",m=publish", 32);
            out.printf("   %s: %,d SRT sessions up in %.1f s (%d refused%s)%n", label, sr.up(), sr.seconds(),
                    sr.failures().size(), sr.failures().isEmpty() ? "" : ": " + sr.failures().get(0));
            Pause.millis(warmupSeconds * 1000L);
            int atWindow = connected(plays.ready());
            List<String> gc0 = proxy == null ? List.of() : GcLog.lines(gcLog);
            LoadStats.Snapshot s0 = stats.snapshot();
            long srt0 = srtOrigin.dataBytes();
            double cpu0 = proxy == null ? 0 : ProcStats.cpuSeconds(proxyPid);
            double sys0 = proxy == null ? 0 : ProcStats.systemSeconds(proxyPid);
            double origin0 = ProcStats.cpuSeconds(originPid);
            double client0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            Pause.millis(durationSeconds * 1000L);
            long t1 = System.nanoTime();
            LoadStats.Snapshot s1 = stats.snapshot();
            int afterWindow = connected(plays.ready());
            long srtBytes = srtOrigin.dataBytes() - srt0;
            double cpu = proxy == null ? -1 : ProcStats.cpuSeconds(proxyPid) - cpu0;
            double sys = proxy == null ? -1 : ProcStats.systemSeconds(proxyPid) - sys0;
            double originCpu = ProcStats.cpuSeconds(originPid) - origin0;
            double clientCpu = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - client0;
            GcLog.Pauses pauses = proxy == null ? null : GcLog.since(GcLog.lines(gcLog), gc0.size());
            long rssLoaded = proxy == null ? -1 : ProcStats.rss(proxyPid);
            long peak = proxy == null ? -1 : ProcStats.statusBytes(proxyPid, "VmHWM");
            long fds = proxy == null ? -1 : ProcStats.openFiles(proxyPid);
            String loadAverage = ProcStats.loadAverage();
            long rssLoadedAfterGc = -1;
            if (proxy != null) {
                nativeMemory(proxyPid, nmtFile, opts);
                gcRun(proxyPid);
                Pause.millis(1000);
                rssLoadedAfterGc = ProcStats.rss(proxyPid);
            }
            List<String> samples = new ArrayList<>(plays.failures().stream().distinct().limit(3).toList());
            samples.addAll(sr.failures().stream().distinct().limit(2).toList());
            return new Phase(label, plays.ready().size(), players - plays.ready().size(), plays.seconds(), atWindow,
                    afterWindow, samples,
                    sr.up(), srtSessions - sr.up(), sr.seconds(), (t1 - t0) / 1e9, s1.minus(s0).receivedBytes(),
                    srtBytes, cpu, sys, originCpu, clientCpu, rssWithPlayers,
                    rssLoaded, rssLoadedAfterGc, peak, fds, pauses, loadAverage);
        } finally {
            srt.close();
            RtmpLoad.closeAll(all);
        }
    }

    private void print(PrintStream out, Phase d, Phase p, long idleRaw, long idle, long afterRaw, long settled,
                       long after, long waitedMillis, long fdsAfter) {
        for (Phase r : d == null ? new Phase[] {p} : new Phase[] {d, p}) {
            out.printf("%-7s rtmp players up %,d, refused %d (ramp %.1f s), still connected at the window's start %,d "
                            + "and end %,d; srt sessions up %,d, refused %d (%.1f s)%n", r.label(), r.playersUp(),
                    r.playersRefused(), r.playersRampSeconds(), r.playersAtWindow(), r.playersAfterWindow(), r.srtUp(),
                    r.srtRefused(), r.srtRampSeconds());
            out.printf("        window %.1f s: to rtmp players %s, at the srt origin %s; nginx cpu %.2f s, harness "
                            + "cpu %.2f s; load average %s%n", r.seconds(), Report.bits(r.playerBytes() * 8 / r.seconds()),
                    Report.bits(r.srtBytes() * 8 / r.seconds()), r.originCpu(), r.clientCpu(), r.loadAverage());
            if (!r.samples().isEmpty()) {
                out.println("        refusals, e.g. " + r.samples());
            }
        }
        int connections = p.playersAfterWindow() + p.srtUp();
        out.printf("proxy   cpu %.2f s in %.1f s (%.0f %% kernel): %.2f CPU-s per GiB relayed (%.2f GiB); "
                        + "gc pauses in the window %d, %.1f ms in all, longest %.1f ms%n", p.proxyCpu(), p.seconds(),
                p.proxyCpu() > 0 ? 100 * p.proxySystemCpu() / p.proxyCpu() : 0,
                cpuPerGib(p.proxyCpu(), p.relayedBytes()), p.relayedBytes() / GIB, p.windowPauses().count(),
                p.windowPauses().totalMillis(), p.windowPauses().maxMillis());
        out.printf("memory  proxy rss idle %s (%s after GC.run) -> %s with %,d players -> loaded %s with %,d srt "
                        + "sessions too (peak %s, %,d fds), %s after GC.run -> after all left %s (%.1f s to release "
                        + "the sockets, %d fds), %s after %d s more with no client, %s after GC.run%n",
                Report.mib(idleRaw), Report.mib(idle),
                Report.mib(p.rssWithPlayers()), p.playersUp(), Report.mib(p.rssLoaded()), p.srtUp(),
                Report.mib(p.peakRss()), p.fds(), Report.mib(p.rssLoadedAfterGc()), Report.mib(afterRaw),
                waitedMillis / 1000.0, fdsAfter, Report.mib(settled), settleSeconds, Report.mib(after));
        out.printf("memory  per connection (%,d): loaded - idle %.1f KiB, after GC.run both %.1f KiB; per rtmp player "
                        + "(with players - idle) %.1f KiB; after all left - idle: %+.1f MiB, %d s later (no forced GC) "
                        + "%+.1f MiB, after GC.run both %+.1f MiB%n", connections, perConnection(idleRaw, p.rssLoaded(), connections) / 1024.0,
                perConnection(idle, p.rssLoadedAfterGc(), connections) / 1024.0,
                perConnection(idleRaw, p.rssWithPlayers(), p.playersUp()) / 1024.0, mibDelta(idleRaw, afterRaw),
                settleSeconds, mibDelta(idleRaw, settled), mibDelta(idle, after));
        if (d != null) {
            out.printf("ratio   rtmp bytes to players proxy/direct = %.3f (per connected player %.3f), srt bytes at "
                            + "origin proxy/direct = %.3f (per session up %.3f); nginx cpu per GiB direct %.2f s%n",
                    ratio(p.playerBytes() / p.seconds(), d.playerBytes() / d.seconds()),
                    ratio(p.playerBytes() / p.seconds() / p.playersAfterWindow(),
                            d.playerBytes() / d.seconds() / d.playersAfterWindow()),
                    ratio(p.srtBytes() / p.seconds(), d.srtBytes() / d.seconds()),
                    ratio(p.srtBytes() / p.seconds() / p.srtUp(), d.srtBytes() / d.seconds() / d.srtUp()),
                    cpuPerGib(d.originCpu(), d.playerBytes()));
        }
        out.flush();
    }

    static final double GIB = 1024.0 * 1024 * 1024;

    private static int connected(List<RtmpLoad.Client> clients) {
        int n = 0;
        for (RtmpLoad.Client c : clients) {
            if (c.channel().isActive()) {
                n++;
            }
        }
        return n;
    }

    /** CPU-seconds per GiB of {@code bytes}; NaN when nothing moved. */
    static double cpuPerGib(double cpuSeconds, long bytes) {
        return bytes > 0 ? cpuSeconds / (bytes / GIB) : Double.NaN;
    }

    /** Bytes of RSS each connection added over the idle process; NaN without connections. */
    static double perConnection(long idleBytes, long loadedBytes, int connections) {
        return connections > 0 ? (loadedBytes - idleBytes) / (double) connections : Double.NaN;
    }

    static double mibDelta(long from, long to) {
        return (to - from) / (1024.0 * 1024);
    }

    static double ratio(double a, double b) {
        return b > 0 ? a / b : Double.NaN;
    }

    /** Waits until the process holds at most {@code fds} descriptors; returns the milliseconds it took. */
    private static long awaitFds(long pid, long fds, int seconds) {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && ProcStats.openFiles(pid) > fds) {
            Pause.millis(200);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * With {@code -XX:NativeMemoryTracking=summary} in the proxy's options, its JVM's own account of where the RSS
     * goes (heap, threads, code, GC, Netty's direct buffers under "Other"), written next to the logs.
     */
    static void nativeMemory(long pid, Path file, List<String> javaOpts) {
        if (javaOpts.stream().noneMatch(o -> o.startsWith("-XX:NativeMemoryTracking="))) {
            return;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("jcmd VM.native_memory: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A full collection in the proxy now ({@code jcmd PID GC.run}, i.e. System.gc()), so RSS shows what is live. */
    static void gcRun(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("jcmd " + pid + " GC.run failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + jcmd + " (the bench needs a JDK)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

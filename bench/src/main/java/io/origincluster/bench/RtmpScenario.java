package io.origincluster.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One RTMP load shape, run once against a target port (the origin directly, or the proxy): S publishers, P players
 * per stream, fixed message rate and size; ramp up, warm up, then a measured window.
 */
record RtmpScenario(String name, int streams, int playersPerStream, double fps, int messageSize, int warmupSeconds,
                    int durationSeconds, int rampSeconds) {

    double bitsPerSecondPerStream() {
        return fps * messageSize * 8;
    }

    String describe() {
        return String.format("%s: %d stream(s) x %d player(s), %s msg/s x %d B per stream (%s), warm-up %d s, "
                        + "window %d s", name, streams, playersPerStream, fps <= 0 ? "unpaced" : fmt(fps),
                messageSize, fps <= 0 ? "as fast as TCP allows" : Report.bits(bitsPerSecondPerStream()),
                warmupSeconds, durationSeconds);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** What one phase measured. Proxy figures are read in both phases (idle proxy in the direct phase). */
    record Result(String label, int publishers, int players, int failures, double playerRampSeconds, List<String> sampleFailures,
                  double seconds, LoadStats.Snapshot window, long p50, long p90, long p99, long p999, long max,
                  long latencySamples, double proxyCpu, double proxySystemCpu, long proxyRss, long proxyPeakRss, long proxyFds,
                  double originCpu, double clientCpu, long redisCalls, Map<String, Long> redisByCommand, long closedInWindow) {

        long relayedMessages() {
            return window.sentMessages() + window.receivedMessages();
        }
    }

    Result run(String label, int port, RtmpLoad load, Env env) {
        LoadStats stats = new LoadStats();
        String prefix = "bench-" + name + "-" + label + "-" + System.currentTimeMillis() % 100000 + "-";
        RtmpLoad.Ramp pubs = load.ramp(streams, i -> load.open(port, RtmpLoadClient.Role.PUBLISH, prefix + i, stats,
                fps, messageSize), rampSeconds, Math.max(10, streams / 10));
        List<RtmpLoad.Client> all = new ArrayList<>(pubs.ready());
        List<String> failures = new ArrayList<>(pubs.failures());
        try {
            if (pubs.ready().isEmpty()) {
                throw new IllegalStateException(label + ": no publisher started: " + pubs.failures());
            }
            int players = streams * playersPerStream;
            RtmpLoad.Ramp plays = load.ramp(players, i -> load.open(port, RtmpLoadClient.Role.PLAY,
                    prefix + (i % streams), stats, 0, 0), rampSeconds, Math.max(20, players / 20));
            all.addAll(plays.ready());
            failures.addAll(plays.failures());
            Pause.millis(warmupSeconds * 1000L);

            LatencyHistogram h = new LatencyHistogram();
            long closedBefore = stats.closed.sum();
            double proxyCpu0 = env.proxyCpu();
            double proxySys0 = env.proxySystemCpu();
            double originCpu0 = ProcStats.cpuSeconds(env.originPid());
            double clientCpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            Map<String, Long> redis0 = env.redisCalls();
            LoadStats.Snapshot s0 = stats.snapshot();
            long t0 = System.nanoTime();
            stats.openWindow(h);
            Pause.millis(durationSeconds * 1000L);
            stats.closeWindow();
            long t1 = System.nanoTime();
            LoadStats.Snapshot s1 = stats.snapshot();
            Map<String, Long> redis1 = env.redisCalls();
            double proxyCpu = env.proxyCpu() - proxyCpu0;
            double proxySys = env.proxySystemCpu() - proxySys0;
            double originCpu = ProcStats.cpuSeconds(env.originPid()) - originCpu0;
            double clientCpu = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - clientCpu0;
            Map<String, Long> byCmd = Report.delta(redis0, redis1);
            long redisCalls = byCmd.entrySet().stream().filter(e -> !e.getKey().equals("info"))
                    .mapToLong(Map.Entry::getValue).sum();
            return new Result(label, pubs.ready().size(), plays.ready().size(), failures.size(), plays.seconds(),
                    failures.stream().distinct().limit(3).toList(), (t1 - t0) / 1e9, s1.minus(s0),
                    h.percentile(0.50), h.percentile(0.90), h.percentile(0.99), h.percentile(0.999), h.max(), h.count(),
                    proxyCpu, proxySys, env.proxyRss(), env.proxyPeakRss(), env.proxyFds(), originCpu, clientCpu, redisCalls, byCmd,
                    stats.closed.sum() - closedBefore);
        } finally {
            RtmpLoad.closeAll(all);
        }
    }

    /** What a phase reads about the processes around it. */
    interface Env {
        double proxyCpu();

        double proxySystemCpu();

        long proxyRss();

        long proxyPeakRss();

        long proxyFds();

        long originPid();

        Map<String, Long> redisCalls();
    }
}

package io.origincluster.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** Prints one scenario's direct and proxy phases side by side, then the ratios the targets are stated in. */
final class Report {

    private Report() {
    }

    static String bits(double bitsPerSecond) {
        if (bitsPerSecond >= 1e9) {
            return String.format("%.2f Gbit/s", bitsPerSecond / 1e9);
        }
        if (bitsPerSecond >= 1e6) {
            return String.format("%.2f Mbit/s", bitsPerSecond / 1e6);
        }
        return String.format("%.1f kbit/s", bitsPerSecond / 1e3);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static double perMessageMicros(double cpuSeconds, RtmpScenario.Result r) {
        return r.relayedMessages() > 0 ? cpuSeconds * 1e6 / r.relayedMessages() : 0;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    static void rtmp(PrintStream out, RtmpScenario s, RtmpScenario.Result direct, RtmpScenario.Result proxy) {
        out.println();
        out.println("== " + s.describe());
        out.printf("%-8s %5s %6s %5s %12s %10s %9s %9s %9s %9s %9s %9s %8s %10s %10s %7s %8s%n", "phase", "pubs",
                "plays", "fail", "recv", "recv msg/s", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "skipped",
                "prx cpu", "prx rss", "prx peak", "prx fd", "orig cpu");
        for (RtmpScenario.Result r : new RtmpScenario.Result[] {direct, proxy}) {
            out.printf("%-8s %5d %6d %5d %12s %10.0f %9d %9d %9d %9d %9d %9d %7.2fs %10s %10s %7d %7.2fs%n",
                    r.label(), r.publishers(), r.players(), r.failures(),
                    bits(r.window().receivedBytes() * 8 / r.seconds()), r.window().receivedMessages() / r.seconds(),
                    r.p50(), r.p90(), r.p99(), r.p999(), r.max(), r.window().skipped(), r.proxyCpu(),
                    mib(r.proxyRss()), mib(r.proxyPeakRss()), r.proxyFds(), r.originCpu());
            if (r.playerRampSeconds() > 5 || r.failures() > 0) {
                out.printf("         %s: %d players up in %.1f s, %d set-ups failed%n", r.label(), r.players(),
                        r.playerRampSeconds(), r.failures());
            }
            if (!r.sampleFailures().isEmpty()) {
                out.println("         failures (" + r.label() + "): " + r.sampleFailures());
            }
        }
        double dThr = direct.window().receivedBytes() / direct.seconds();
        double pThr = proxy.window().receivedBytes() / proxy.seconds();
        out.printf("ratio    throughput proxy/direct = %.3f   (target >= 0.95)%n", dThr > 0 ? pThr / dThr : 0);
        out.printf("added    latency proxy-direct: p50 %+d us, p90 %+d us, p99 %+d us, p99.9 %+d us   "
                        + "(target p99 <= 1000 us at 1,000 streams)%n", proxy.p50() - direct.p50(),
                proxy.p90() - direct.p90(), proxy.p99() - direct.p99(), proxy.p999() - direct.p999());
        long clients = proxy.publishers() + proxy.players();
        long grown = proxy.proxyRss() - direct.proxyRss();
        out.printf("proxy    cpu %.2f s over %.1f s (%.1f %% of one core, %.0f %% of it in the kernel), rss %s (peak %s; idle proxy in the direct "
                        + "phase %s, so %s more = %s per client connection), %d fds for %d client connections%n",
                proxy.proxyCpu(), proxy.seconds(), 100 * proxy.proxyCpu() / proxy.seconds(),
                proxy.proxyCpu() > 0 ? 100 * proxy.proxySystemCpu() / proxy.proxyCpu() : 0, mib(proxy.proxyRss()),
                mib(proxy.proxyPeakRss()), mib(direct.proxyRss()), mib(grown),
                clients > 0 ? String.format("%.1f KiB", grown / 1024.0 / clients) : "?", proxy.proxyFds(), clients);
        out.printf("cost     proxy cpu per relayed message %.2f us; origin cpu per relayed message direct %.2f us, "
                        + "proxied %.2f us%n", perMessageMicros(proxy.proxyCpu(), proxy),
                perMessageMicros(direct.originCpu(), direct), perMessageMicros(proxy.originCpu(), proxy));
        out.printf("cores    busy on this bench (load client + origin + proxy) direct %.2f, proxied %.2f of %d; machine "
                        + "load average now %s%n", (direct.clientCpu() + direct.originCpu() + direct.proxyCpu())
                        / direct.seconds(), (proxy.clientCpu() + proxy.originCpu() + proxy.proxyCpu()) / proxy.seconds(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage());
        Map<String, Long> proxyCmds = new TreeMap<>(proxy.redisByCommand());
        Map<String, Long> idleCmds = new TreeMap<>(direct.redisByCommand());
        proxyCmds.remove("info");
        idleCmds.remove("info");
        out.printf("redis    %d calls in the proxy window (%.1f/s) for %d relayed messages = %.6f calls/message; "
                        + "idle proxy during the direct window: %d calls (%.1f/s). proxy %s idle %s%n",
                proxy.redisCalls(), proxy.redisCalls() / proxy.seconds(), proxy.relayedMessages(),
                proxy.relayedMessages() > 0 ? (double) proxy.redisCalls() / proxy.relayedMessages() : 0,
                direct.redisCalls(), direct.redisCalls() / direct.seconds(), proxyCmds, idleCmds);
        out.flush();
    }
}

package io.origincluster.bench;

import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HLS playlist and segment requests, directly against an nginx origin and through two proxies in the same run: one
 * that opens a new origin connection per request ({@code PROXY_HTTP_ORIGIN_POOL=0}) and one that reuses keep-alive
 * origin connections (the default pool). The origin serves a fixed live playlist and its segments from its HTTP
 * root. C keep-alive clients loop playlist, then every segment it lists; first as fast as each target answers
 * (requests per second, and per proxy CPU-second), then every target at the same fixed request rate (proxy CPU per
 * request at equal work, and latency without queueing). Per phase: requests and bytes per second, segment latency
 * (to the last byte and to the response head), proxy, origin and harness CPU from /proc, and the TCP connections
 * the origin accepted (nginx {@code stub_status}).
 */
final class SegmentsScenario {

    static final String APP = "live";
    static final String STREAM = "bench";
    static final String PLAYLIST = "/" + APP + "/" + STREAM + ".m3u8";
    static final String MPD = "/" + APP + "/" + STREAM + ".mpd";

    private final int clients;
    private final int segments;
    private final int averageBytes;
    private final int warmupSeconds;
    private final int durationSeconds;
    private final double rate;
    private final int pool;
    private final int clientThreads;
    private final int rounds;
    /** {@code hls} (a media playlist and .ts) or {@code dash} (an MPD with a SegmentList and .m4s). */
    private final String format;
    private final String manifest;

    SegmentsScenario(int clients, int segments, int averageBytes, int warmupSeconds, int durationSeconds,
                     double rate, int pool, int clientThreads, int rounds, String format) {
        this.clients = clients;
        this.segments = segments;
        this.averageBytes = averageBytes;
        this.warmupSeconds = warmupSeconds;
        this.durationSeconds = durationSeconds;
        this.rate = rate;
        this.pool = pool;
        this.clientThreads = clientThreads;
        this.rounds = Math.max(1, rounds);
        if (!format.equals("hls") && !format.equals("dash")) {
            throw new IllegalArgumentException("--segments.format must be hls or dash, got " + format);
        }
        this.format = format;
        this.manifest = format.equals("dash") ? MPD : PLAYLIST;
    }

    static SegmentsScenario from(BenchMain.Options o) {
        return new SegmentsScenario(o.integer("segments.clients", 16), o.integer("segments.segments", 5),
                o.integer("segments.size", 200) * 1000, o.integer("segments.warmup", 10),
                o.integer("segments.duration", 20), o.decimal("segments.rate", 0), o.integer("segments.pool", -1),
                o.integer("client-threads", 2), o.integer("segments.rounds", 1),
                o.string("segments.format", "hls"));
    }

    String describe() {
        int[] sizes = Hls.segmentSizes(segments, averageBytes);
        return String.format("segments (%s): %d keep-alive clients, each GET playlist then its %d segments (%d-%d KB, "
                        + "average %d KB), warm-up %d s, window %d s per phase; targets: nginx directly, proxy with "
                        + "PROXY_HTTP_ORIGIN_POOL=0, proxy with %s; unpaced, then all three at %s; %d round(s)%s",
                format, clients,
                segments, sizes[0] / 1000, sizes[sizes.length - 1] / 1000, averageBytes / 1000, warmupSeconds,
                durationSeconds, pool < 0 ? "the default pool" : "PROXY_HTTP_ORIGIN_POOL=" + pool,
                rate > 0 ? fmt(rate) + " requests/s" : rate == 0 ? "half the slower proxy's unpaced rate"
                        : "(fixed-rate phases skipped)", rounds,
                rounds > 1 ? " (even rounds run the pooled proxy before the other, so neighbours' load is shared)"
                        : "");
    }

    /** What one phase measured; proxy figures are NaN / -1 for the direct phase. */
    record Phase(String label, double offeredRate, double seconds, long requests, long segments, long playlists,
                 long bytes, long errors, long reconnects, List<String> errorSamples, long segP50, long segP99,
                 long segP999, long firstByteP50, long firstByteP99, long playlistP50, long playlistP99,
                 long playlistFirstByteP50, long playlistFirstByteP99, double proxyCpu, double proxySystemCpu, long proxyFds, double originCpu, double clientCpu,
                 NginxStatus origin, long redisCalls, Map<String, Long> redisByCommand) {

        double requestsPerSecond() {
            return requests / seconds;
        }

        /** Proxy CPU milliseconds per 1,000 requests (= microseconds per request). */
        double proxyCpuMsPer1000() {
            return requests > 0 ? proxyCpu * 1e6 / requests : Double.NaN;
        }

        double requestsPerProxyCpuSecond() {
            return proxyCpu > 0 ? requests / proxyCpu : Double.NaN;
        }

        /** TCP connections the origin accepted per 1,000 requests it answered. */
        double originConnectionsPer1000() {
            return origin.requests() > 0 ? 1000.0 * origin.accepts() / origin.requests() : Double.NaN;
        }

        /** Redis commands (both proxies', without the harness's INFO) per request of the window. */
        double redisCallsPerRequest() {
            return requests > 0 ? (double) redisCalls / requests : Double.NaN;
        }

        double benchCores() {
            return ((Double.isNaN(proxyCpu) ? 0 : proxyCpu) + originCpu + clientCpu) / seconds;
        }
    }

    void run(PrintStream out, Path work, RedisServer redis, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv) {
        int redisPort = redis.port();
        List<AutoCloseable> open = new ArrayList<>();
        try (SegmentLoad load = new SegmentLoad(clientThreads)) {
            Path root = work.resolve("nginx-segments").resolve("html");
            int[] sizes = Hls.segmentSizes(segments, averageBytes);
            if (format.equals("dash")) {
                Dash.write(root, APP, STREAM, sizes);
            } else {
                Hls.write(root, APP, STREAM, sizes);
            }
            NginxRtmpOrigin nginx = NginxRtmpOrigin.builder("nginx-segments").workDir(work).forLoad().httpRoot(root)
                    .start();
            open.add(nginx);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-segments");
            env.put("PROXY_DEFAULT_BACKEND_HTTP", Integer.toString(nginx.httpPort()));
            env.putAll(proxyEnv);
            Map<String, String> noPoolEnv = new LinkedHashMap<>(env);
            noPoolEnv.put("PROXY_HTTP_ORIGIN_POOL", "0");
            Map<String, String> poolEnv = new LinkedHashMap<>(env);
            if (pool >= 0) {
                poolEnv.put("PROXY_HTTP_ORIGIN_POOL", Integer.toString(pool));
            }
            ProxyProcess noPool = ProxyProcess.start("proxy-segments-nopool", proxyJar, javaOpts, work,
                    nginx.rtmpPort(), Ports.freeUdp(), redisPort, noPoolEnv);
            open.add(noPool);
            ProxyProcess pooled = ProxyProcess.start("proxy-segments-pool", proxyJar, javaOpts, work,
                    nginx.rtmpPort(), Ports.freeUdp(), redisPort, poolEnv);
            open.add(pooled);
            out.printf("   origin nginx pid %d http 127.0.0.1:%d (%s, stub_status), rtmp %d; proxy without pool pid "
                            + "%d http 127.0.0.1:%d (%s); proxy with pool pid %d http 127.0.0.1:%d (%s)%n", nginx.pid(),
                    nginx.httpPort(), manifest, nginx.rtmpPort(), noPool.pid(), noPool.httpPort(), noPool.log(),
                    pooled.pid(), pooled.httpPort(), pooled.log());
            for (ProxyProcess p : List.of(noPool, pooled)) {
                out.println("   check " + p.log().getFileName() + ": " + check(p.httpPort(), sizes[0], manifest));
            }

            List<List<Phase>> groups = new ArrayList<>();
            double fixed = rate;
            for (int round = 1; round <= rounds; round++) {
                boolean poolFirst = round % 2 == 0;
                for (double offered : new double[] {0, -2}) {
                    if (offered < 0) {
                        if (fixed == 0) {
                            fixed = Math.floor(0.5 * Math.min(byLabel(groups.get(0), "no pool").requestsPerSecond(),
                                    byLabel(groups.get(0), "pool").requestsPerSecond()));
                        }
                        if (fixed <= 0) {
                            continue;
                        }
                        offered = fixed;
                    }
                    String r = rounds > 1 ? " " + round : "";
                    List<Phase> g = new ArrayList<>();
                    g.add(phase(out, load, "direct" + r, nginx.httpPort(), -1, nginx, redis, offered));
                    for (boolean p : poolFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                        g.add(p ? phase(out, load, "pool" + r, pooled.httpPort(), pooled.pid(), nginx, redis, offered)
                                : phase(out, load, "no pool" + r, noPool.httpPort(), noPool.pid(), nginx, redis, offered));
                    }
                    groups.add(g);
                    for (ProxyProcess p : List.of(noPool, pooled)) {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("a proxy exited; see " + p.log());
                        }
                    }
                }
            }
            print(out, groups);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.err.println("close failed: " + e);
                }
            }
        }
    }

    /** One GET of the playlist through a proxy: every segment URI must carry the token; the first segment loads. */
    static String check(int port, int firstSize, String manifest) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> pl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + manifest)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            List<String> targets = Dash.segmentTargets(pl.body(), manifest);
            if (pl.statusCode() != 200 || targets.isEmpty()
                    || !targets.stream().allMatch(t -> t.contains("oc_hls_token="))) {
                throw new IllegalStateException("playlist through the proxy: " + pl.statusCode() + " "
                        + SegmentLoad.abbreviate(pl.body()));
            }
            HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + targets.get(0))).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (seg.statusCode() != 200 || seg.body().length != firstSize) {
                throw new IllegalStateException("segment through the proxy: " + seg.statusCode() + ", "
                        + seg.body().length + " bytes, expected " + firstSize);
            }
            String t = targets.get(0);
            return "playlist rewritten, " + targets.size() + " segment URIs with tokens (" + t.substring(0,
                    Math.min(t.length(), t.indexOf("oc_hls_token=") + 20)) + "...), first segment " + firstSize
                    + " bytes";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Phase phase(PrintStream out, SegmentLoad load, String label, int port, long proxyPid, NginxRtmpOrigin nginx,
                        RedisServer redis, double offered) {
        out.printf("   [%s] %s%s: warm-up %d s, window %d s, load average %s%n", java.time.Instant.now(), label,
                offered > 0 ? " at " + fmt(offered) + " requests/s" : " unpaced", warmupSeconds, durationSeconds,
                ProcStats.loadAverage());
        try (SegmentLoad.Run run = load.start(port, manifest, clients, offered)) {
            Pause.millis(warmupSeconds * 1000L);
            long self = ProcessHandle.current().pid();
            double proxy0 = proxyPid > 0 ? ProcStats.cpuSeconds(proxyPid) : Double.NaN;
            double proxySys0 = proxyPid > 0 ? ProcStats.systemSeconds(proxyPid) : Double.NaN;
            double origin0 = ProcStats.cpuSeconds(nginx.pid());
            double client0 = ProcStats.cpuSeconds(self);
            NginxStatus status0 = NginxStatus.read(nginx.httpPort());
            Map<String, Long> redis0 = redis.commandCalls();
            long t0 = System.nanoTime();
            SegmentLoad.Window w = run.stats.open();
            Pause.millis(durationSeconds * 1000L);
            run.stats.close();
            long t1 = System.nanoTime();
            NginxStatus status = NginxStatus.read(nginx.httpPort()).minus(status0);
            Map<String, Long> byCommand = Report.delta(redis0, redis.commandCalls());
            byCommand.remove("info");
            long redisCalls = byCommand.values().stream().mapToLong(Long::longValue).sum();
            double proxyCpu = proxyPid > 0 ? ProcStats.cpuSeconds(proxyPid) - proxy0 : Double.NaN;
            double proxySys = proxyPid > 0 ? ProcStats.systemSeconds(proxyPid) - proxySys0 : Double.NaN;
            long fds = proxyPid > 0 ? ProcStats.openFiles(proxyPid) : -1;
            return new Phase(label, offered, (t1 - t0) / 1e9, w.requests.sum(), w.segments.sum(), w.playlists.sum(),
                    w.bytes.sum(), w.errors.sum(), w.reconnects.sum(), List.copyOf(w.errorSamples),
                    w.segment.percentile(0.50), w.segment.percentile(0.99), w.segment.percentile(0.999),
                    w.segmentFirstByte.percentile(0.50), w.segmentFirstByte.percentile(0.99),
                    w.playlist.percentile(0.50), w.playlist.percentile(0.99),
                    w.playlistFirstByte.percentile(0.50), w.playlistFirstByte.percentile(0.99), proxyCpu, proxySys, fds,
                    ProcStats.cpuSeconds(nginx.pid()) - origin0, ProcStats.cpuSeconds(self) - client0, status,
                    redisCalls, byCommand);
        }
    }

    /** The phase of a group whose label starts with {@code label} ("direct", "no pool", "pool"; maybe a round). */
    static Phase byLabel(List<Phase> group, String label) {
        return group.stream().filter(p -> p.label().equals(label) || p.label().startsWith(label + " "))
                .findFirst().orElseThrow();
    }

    static void print(PrintStream out, List<List<Phase>> groups) {
        out.println();
        out.printf("%-9s %9s %8s %8s %12s %8s %8s %8s %8s %8s %8s %6s %6s %8s %9s %10s %8s %9s %6s %9s %5s%n", "phase",
                "offered/s", "req/s", "seg/s", "throughput", "seg p50", "seg p99", "ttfb p50", "ttfb p99", "m3u8 p50",
                "m3u8 p99", "errors", "reconn", "prx cpu", "ms/1k req", "req/cpu-s", "org conn", "conn/1k rq",
                "org cpu", "redis/req", "cores");
        for (List<Phase> group : groups) {
            for (Phase p : group) {
                out.printf("%-9s %9s %8.0f %8.0f %12s %8d %8d %8d %8d %8d %8d %6d %6d %8s %9s %10s %8d %9.1f %5.2fs %9.2f %5.2f%n",
                        p.label(), p.offeredRate() > 0 ? fmt(p.offeredRate()) : "unpaced", p.requestsPerSecond(),
                        p.segments() / p.seconds(), Report.bits(p.bytes() * 8 / p.seconds()), p.segP50(), p.segP99(),
                        p.firstByteP50(), p.firstByteP99(), p.playlistP50(), p.playlistP99(), p.errors(),
                        p.reconnects(), Double.isNaN(p.proxyCpu()) ? "-" : String.format("%.2fs", p.proxyCpu()),
                        Double.isNaN(p.proxyCpu()) ? "-" : String.format("%.1f", p.proxyCpuMsPer1000()),
                        Double.isNaN(p.proxyCpu()) ? "-" : String.format("%.0f", p.requestsPerProxyCpuSecond()),
                        p.origin().accepts(), p.originConnectionsPer1000(), p.originCpu(), p.redisCallsPerRequest(),
                        p.benchCores());
                if (!Double.isNaN(p.proxyCpu()) && p.requests() > 0) {
                    StringBuilder sb = new StringBuilder();
                    p.redisByCommand().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k)
                            .append(String.format(" %.2f", (double) v / p.requests())));
                    out.println("          redis commands per request (" + p.label() + "): " + sb);
                }
                if (!p.errorSamples().isEmpty()) {
                    out.println("         errors (" + p.label() + "): " + p.errorSamples());
                }
            }
        }
        out.println("(latencies in us; seg = GET of a segment to its last byte, ttfb = to the response head, m3u8 = GET "
                + "of the playlist (MPD) to its last byte; "
                + "ms/1k req = proxy CPU ms per 1,000 requests; org conn = TCP connections the origin accepted in "
                + "the window; redis/req = Redis commands of both proxies per request; cores = proxy + origin + load client CPU "
                + "/ window)");
        for (List<Phase> g : groups) {
            summary(out, g);
        }
    }

    private static void summary(PrintStream out, List<Phase> g) {
        Phase d = byLabel(g, "direct");
        Phase n = byLabel(g, "no pool");
        Phase p = byLabel(g, "pool");
        String round = d.label().substring("direct".length()).trim();
        String what = (round.isEmpty() ? "" : "round " + round + ", ")
                + (d.offeredRate() > 0 ? "at " + fmt(d.offeredRate()) + "/s" : "unpaced");
        out.printf("%-10s added segment latency vs direct: no pool p50 %+d us, p99 %+d us (ttfb p50 %+d us); pool "
                        + "p50 %+d us, p99 %+d us (ttfb p50 %+d us)%n", what, n.segP50() - d.segP50(),
                n.segP99() - d.segP99(), n.firstByteP50() - d.firstByteP50(), p.segP50() - d.segP50(),
                p.segP99() - d.segP99(), p.firstByteP50() - d.firstByteP50());
        out.printf("%-10s first byte (to the response head) p50 / p99: segment direct %d / %d us, no pool %+d / %+d, "
                        + "pool %+d / %+d; playlist direct %d / %d us, no pool %+d / %+d, pool %+d / %+d%n", what,
                d.firstByteP50(), d.firstByteP99(), n.firstByteP50() - d.firstByteP50(),
                n.firstByteP99() - d.firstByteP99(), p.firstByteP50() - d.firstByteP50(),
                p.firstByteP99() - d.firstByteP99(), d.playlistFirstByteP50(), d.playlistFirstByteP99(),
                n.playlistFirstByteP50() - d.playlistFirstByteP50(), n.playlistFirstByteP99() - d.playlistFirstByteP99(),
                p.playlistFirstByteP50() - d.playlistFirstByteP50(), p.playlistFirstByteP99() - d.playlistFirstByteP99());
        out.printf("%-10s pool / no pool: requests/s %.3f, proxy CPU per request %.3f (%.1f vs %.1f ms per 1,000; kernel "
                        + "%.0f %% vs %.0f %%), requests per proxy CPU-second %.0f vs %.0f, origin connections per 1,000 "
                        + "requests %.1f vs %.1f, origin CPU per request %.3f%n", what,
                p.requestsPerSecond() / n.requestsPerSecond(), p.proxyCpuMsPer1000() / n.proxyCpuMsPer1000(),
                p.proxyCpuMsPer1000(), n.proxyCpuMsPer1000(), 100 * p.proxySystemCpu() / p.proxyCpu(),
                100 * n.proxySystemCpu() / n.proxyCpu(),
                p.requestsPerProxyCpuSecond(), n.requestsPerProxyCpuSecond(), p.originConnectionsPer1000(),
                n.originConnectionsPer1000(), (p.originCpu() / p.requests()) / (n.originCpu() / n.requests()));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format("%.1f", d);
    }
}

package io.origincluster.bench;

import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load harness: starts Redis, an nginx-rtmp origin and the proxy (its own JVM), then runs each scenario twice
 * in the same run, directly against the origin and through the proxy, and prints both and their ratios.
 * {@code jmh [args]} runs the codec micro-benchmarks instead. Usage: see {@link #usage()}.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            CodecBenchmarks.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options o = Options.parse(args);
        if (o.help) {
            System.out.println(usage());
            return;
        }
        watchdog(o.integer("max-minutes", 40));
        Path work = Path.of(o.string("work", "bench/target/bench-run")).toAbsolutePath();
        Files.createDirectories(work);
        printMachine(o);
        List<AutoCloseable> open = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(open)));
        try {
            RedisServer redis = RedisServer.start(work);
            open.add(redis);
            // the migration and segments scenarios bring their own origins and proxies; the others share these
            boolean shared = o.scenarios.stream().anyMatch(s -> !s.equals("migration") && !s.equals("segments")
                    && !s.equals("rtsp") && !s.equals("httpflv") && !s.equals("scale"));
            NginxRtmpOrigin nginx = shared
                    ? NginxRtmpOrigin.builder("nginx-rtmp").workDir(work).forLoad().start() : null;
            if (nginx != null) {
                open.add(nginx);
            }
            int srtOriginPort = Ports.freeUdp();
            List<String> javaOpts = o.string("proxy-java-opts", "").isBlank() ? List.of()
                    : List.of(o.string("proxy-java-opts", "").trim().split("\\s+"));
            Path proxyJar = Path.of(o.string("proxy-jar", "dataplane/target/origin-cluster-dataplane.jar"));
            String proxyJava = o.string("proxy-java", "");
            if (!proxyJava.isBlank()) {
                if (!Files.isExecutable(Path.of(proxyJava))) {
                    throw new IllegalArgumentException("--proxy-java=" + proxyJava + " is not an executable file");
                }
                System.setProperty(ProxyProcess.JAVA_PROPERTY, proxyJava);
                System.out.println("proxy java: " + proxyJava);
            }
            ProxyProcess proxy = shared ? ProxyProcess.start(proxyJar, javaOpts, work, nginx.rtmpPort(),
                    srtOriginPort, redis.port(), proxyEnv(o.string("proxy-env", ""))) : null;
            if (proxy != null) {
                open.add(proxy);
                System.out.println("proxy: pid " + proxy.pid() + " rtmp 127.0.0.1:" + proxy.rtmpPort() + " srt udp "
                        + proxy.srtPort() + ", java opts " + javaOpts + ", extra env [" + o.string("proxy-env", "")
                        + "], log " + proxy.log() + "; origin nginx-rtmp 127.0.0.1:" + nginx.rtmpPort()
                        + "; redis 127.0.0.1:" + redis.port());
            }
            RtmpScenario.Env env = new RtmpScenario.Env() {
                public double proxyCpu() {
                    return ProcStats.cpuSeconds(proxy.pid());
                }

                public double proxySystemCpu() {
                    return ProcStats.systemSeconds(proxy.pid());
                }

                public long proxyRss() {
                    return ProcStats.rss(proxy.pid());
                }

                public long proxyPeakRss() {
                    return ProcStats.statusBytes(proxy.pid(), "VmHWM");
                }

                public long proxyFds() {
                    return ProcStats.openFiles(proxy.pid());
                }

                public long originPid() {
                    return nginx.pid();
                }

                public Map<String, Long> redisCalls() {
                    return redis.commandCalls();
                }
            };
            try (RtmpLoad load = new RtmpLoad(o.integer("client-threads", 2), o.integer("connect-concurrency", 32))) {
                for (String name : o.scenarios) {
                    System.out.println();
                    System.out.println("[" + Instant.now() + "] scenario " + name + ", load average "
                            + ProcStats.loadAverage());
                    if (name.equals("migration")) {
                        MigrationScenario m = MigrationScenario.from(o);
                        System.out.println("   " + m.describe() + " ...");
                        m.run(System.out, work, redis.port(), proxyJar, javaOpts, proxyEnv(o.string("proxy-env", "")),
                                load);
                        continue;
                    }
                    if (name.equals("segments")) {
                        SegmentsScenario seg = SegmentsScenario.from(o);
                        System.out.println("== " + seg.describe());
                        seg.run(System.out, work, redis, proxyJar, javaOpts,
                                proxyEnv(o.string("proxy-env", "")));
                        continue;
                    }
                    if (name.equals("rtsp")) {
                        RtspScenario rtsp = RtspScenario.from(o);
                        System.out.println("== " + rtsp.describe());
                        rtsp.run(System.out, work, redis, proxyJar, javaOpts, proxyEnv(o.string("proxy-env", "")));
                        continue;
                    }
                    if (name.equals("httpflv")) {
                        HttpLiveScenario flv = HttpLiveScenario.from(o);
                        System.out.println("== " + flv.describe());
                        flv.run(System.out, work, redis, proxyJar, javaOpts, proxyEnv(o.string("proxy-env", "")));
                        continue;
                    }
                    if (name.equals("scale")) {
                        ScaleScenario scale = ScaleScenario.from(o);
                        System.out.println("== " + scale.describe());
                        scale.run(System.out, work, redis, proxyJar, javaOpts, proxyEnv(o.string("proxy-env", "")),
                                load);
                        continue;
                    }
                    if (name.equals("srt")) {
                        SrtScenario srt = SrtScenario.from(o);
                        System.out.println("== " + srt.describe());
                        SrtScenario.Result d = srt.run("direct", srtOriginPort, srtOriginPort, work, env);
                        SrtScenario.Result p = srt.run("proxy", proxy.srtPort(), srtOriginPort, work, env);
                        SrtScenario.print(System.out, d, p);
                        continue;
                    }
                    RtmpScenario s = scenario(name, o);
                    System.out.println("   " + s.describe() + " ...");
                    RtmpScenario.Result direct = s.run("direct", nginx.rtmpPort(), load, env);
                    Pause.millis(2000);
                    RtmpScenario.Result viaProxy = s.run("proxy", proxy.rtmpPort(), load, env);
                    Pause.millis(2000);
                    Report.rtmp(System.out, s, direct, viaProxy);
                    if (proxy != null && !proxy.isAlive()) {
                        throw new IllegalStateException("the proxy exited; see " + proxy.log());
                    }
                }
            }
            System.out.println();
            System.out.println("[" + Instant.now() + "] done, load average " + ProcStats.loadAverage());
        } finally {
            closeAll(open);
        }
        System.exit(0);
    }

    static RtmpScenario scenario(String name, Options o) {
        RtmpScenario d = switch (name) {
            case "throughput" -> new RtmpScenario(name, 4, 1, 100, 62_500, 3, 10, 30);
            case "saturate" -> new RtmpScenario(name, 2, 1, 0, 65_536, 3, 10, 30);
            case "latency" -> new RtmpScenario(name, 1000, 1, 25, 200, 5, 15, 120);
            case "players" -> new RtmpScenario(name, 1, 10_000, 2, 250, 5, 10, 240);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'\n" + usage());
        };
        return new RtmpScenario(name, o.integer(name + ".streams", d.streams()),
                o.integer(name + ".players", d.playersPerStream()), o.decimal(name + ".fps", d.fps()),
                o.integer(name + ".size", d.messageSize()), o.integer(name + ".warmup", d.warmupSeconds()),
                o.integer(name + ".duration", d.durationSeconds()), o.integer(name + ".ramp", d.rampSeconds()));
    }

    /** --proxy-env=PROXY_CONNECT_TIMEOUT=10s,PROXY_RTMP_IDLE_TIMEOUT=60s: extra settings for the proxy. */
    static Map<String, String> proxyEnv(String spec) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : spec.split(",")) {
            if (!kv.isBlank()) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--proxy-env takes NAME=VALUE[,NAME=VALUE...], got " + kv);
                }
                env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return env;
    }

    static String usage() {
        return """
                scripts/bench [SCENARIO...] [--SCENARIO.KEY=VALUE...] [--OPTION=VALUE...]
                scripts/bench jmh [JMH options]          codec micro-benchmarks (short by default)
                Scenarios (default: throughput saturate latency players srt), each run directly against the origin
                and through the proxy in the same run:
                  throughput  4 streams x 1 player, 100 msg/s x 62,500 B = 50 Mbit/s per stream
                  saturate    2 streams x 1 player, unpaced 64 KiB messages (as fast as TCP allows)
                  latency     1,000 streams x 1 player, 25 msg/s x 200 B
                  players     1 stream x 10,000 players, 2 msg/s x 250 B (cost per connection)
                  srt         one SRT publisher at 20 Mbit/s (srt-live-transmit caller -> listener)
                  migration   not in the default set: 50 streams x 2 players through a proxy of its own in front of
                              two nginx-rtmp origins (registered by SRS-style heartbeats), keyframe every 25
                              messages; quiet window, then the busiest origin drained (stall per moved player,
                              time to drain, lost/duplicated messages, disconnects, the proxy's move metrics), then
                              the other origin SIGKILLed (break-before-make)
                  segments    not in the default set: HLS playlist + segment GETs by 16 keep-alive clients (a playlist
                              of 5 segments, 100-300 KB, served by nginx over HTTP), directly and through two proxies
                              of its own, PROXY_HTTP_ORIGIN_POOL=0 (a new origin connection per request) and the
                              default pool; unpaced, then all three at one fixed request rate: requests/s, bytes/s,
                              segment latency p50/p99 (added = proxy - direct), proxy CPU per 1,000 requests, origin
                              connections accepted (nginx stub_status)
                  rtsp        not in the default set: 50 RTSP players (interleaved TCP) of one live H.264 stream from
                              gst-rtsp-server, directly and through a proxy of its own: setup time, packets/s,
                              delivery delay against a direct reference player, proxy CPU per relayed Mbit
                  httpflv     not in the default set: 200 HTTP-FLV (or, with --httpflv.format=ts, HTTP-TS) players
                              of 4 live streams (1 Mbit/s, fan-out by an origin in the harness), directly and through
                              a proxy of its own; bytes and FLV tags / TS packets received, proxy CPU-seconds per GiB
                              relayed, time to the response head and to the first whole tag / packet of probe players
                              (added p50/p99 over direct); --httpflv.cold=60 instead measures a fresh proxy's first
                              60 s in 10 s slices (CPU-s per GiB) and a window after them
                  scale       not in the default set: 9,000 RTMP players of 4 streams (nginx-rtmp) and 1,000 SRT
                              publishers (an SRT origin in the harness that accepts many) at once through one proxy
                              of its own, after the same load directly: players up and refused, SRT sessions up, proxy
                              RSS idle -> loaded -> after all left (each also after jcmd GC.run) and per connection,
                              proxy CPU-s per GiB relayed, GC pauses (-Xlog:gc), bytes ratio proxy/direct
                Scenario keys: streams, players (per stream), fps (0 = unpaced), size (bytes), warmup, duration,
                ramp (seconds); srt keys: mbps, warmup, duration; migration keys: streams, players, fps, size,
                gop (messages per keyframe), warmup, duration (each window), ramp, heartbeat (seconds, 0 = register
                once), kill (1/0); segments keys: clients, segments (per playlist), size (average segment KB),
                warmup, duration (each of the six phases), rate (requests/s of the fixed-rate phases; 0 = half the
                slower proxy's unpaced rate, -1 = skip them), pool (the pooled proxy's PROXY_HTTP_ORIGIN_POOL; -1 =
                its default), rounds (repeat every phase; even rounds run the pooled proxy before the other),
                format (hls: a media playlist of .ts; dash: an MPD listing .m4s SegmentURLs); rtsp keys: players,
                warmup, duration; httpflv keys: streams, players (in all), kbps (per stream), batch (ms of media the
                origin sends at once, as SRS's mw_latency: 350; 40 = every frame), warmup, duration,
                probe (ms between first-byte probes), rounds, prewarm (sessions opened and closed against
                the origin and the proxy before the first phase, so the session path is compiled; 0 = cold),
                format (flv or ts), cold (seconds of a fresh proxy measured in 10 s slices, no pre-warm unless
                prewarm is given; 0 = off); scale keys: streams, players (in all), fps, size, srt (sessions),
                srtpps (packets/s per SRT session, 1316 B each), warmup, duration, ramp, direct (1/0: the
                direct phase first).
                Options: --proxy-java-opts="-Xmx512m ..." --proxy-env=NAME=VALUE,... --client-threads=2
                         --connect-concurrency=32 (client set-ups in flight) --max-minutes=40
                         --proxy-jar=dataplane/target/origin-cluster-dataplane.jar --work=bench/target/bench-run
                         --proxy-java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java (another java for the proxy only)""";
    }

    private static void printMachine(Options o) {
        System.out.println("origin-cluster bench, " + Instant.now() + ", args " + o.raw);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cpus, java "
                + System.getProperty("java.version") + ", load average " + ProcStats.loadAverage()
                + ", open-files limit " + openFilesLimit());
    }

    private static String openFilesLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    return l.substring(26).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    private static void watchdog(int minutes) {
        Thread t = new Thread(() -> {
            Pause.millis(minutes * 60_000L);
            System.err.println("bench: --max-minutes=" + minutes + " reached, stopping");
            System.exit(3);
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static void closeAll(List<AutoCloseable> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }
        open.clear();
    }

    static final class Options {
        final List<String> scenarios = new ArrayList<>();
        final Map<String, String> values = new LinkedHashMap<>();
        boolean help;
        String raw;

        static Options parse(String[] args) {
            Options o = new Options();
            o.raw = String.join(" ", args);
            for (String a : args) {
                if (a.equals("-h") || a.equals("--help")) {
                    o.help = true;
                } else if (a.startsWith("--")) {
                    int eq = a.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("option " + a + " needs =VALUE\n" + usage());
                    }
                    o.values.put(a.substring(2, eq), a.substring(eq + 1));
                } else {
                    o.scenarios.add(a);
                }
            }
            if (o.scenarios.isEmpty()) {
                o.scenarios.addAll(List.of("throughput", "saturate", "latency", "players", "srt"));
            }
            return o;
        }

        String string(String key, String def) {
            return values.getOrDefault(key, def);
        }

        int integer(String key, int def) {
            return Integer.parseInt(string(key, Integer.toString(def)));
        }

        double decimal(String key, double def) {
            return Double.parseDouble(string(key, Double.toString(def)));
        }
    }
}

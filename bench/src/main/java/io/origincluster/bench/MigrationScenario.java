package io.origincluster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Hitless origin changes under load: two nginx-rtmp origins registered with a proxy of their own (SRS heartbeat
 * bodies on the system API, no default backend), S publishers and P players per stream through the proxy, with real
 * switch points (an AVC sequence header, then a keyframe every {@code gop} messages). After warm-up:
 * <ol>
 *   <li>a quiet window: the longest gap each player sees between two messages with nothing happening (the normal
 *   jitter of this machine);</li>
 *   <li>a drain window: the origin holding the most sessions is drained ({@code POST /api/v1/origins/{id}/drain});
 *   the longest gap per player whose stream was on it (its stall), sequence numbers lost or repeated, time until
 *   the origin has no session left, the proxy's move counters;</li>
 *   <li>optionally a kill window: the drained origin takes streams again, and the origin now holding every stream is
 *   SIGKILLed (break-before-make): the same figures.</li>
 * </ol>
 * Every window has the same length, so "longest gap in the window" compares like with like.
 */
final class MigrationScenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MOVES = "origincluster_session_moves_total";
    private static final String STALL = "origincluster_session_move_stall_seconds";

    private final int streams;
    private final int playersPerStream;
    private final double fps;
    private final int size;
    private final int gop;
    private final int warmupSeconds;
    private final int windowSeconds;
    private final int rampSeconds;
    private final int heartbeatSeconds;
    private final boolean kill;

    MigrationScenario(int streams, int playersPerStream, double fps, int size, int gop, int warmupSeconds,
                      int windowSeconds, int rampSeconds, int heartbeatSeconds, boolean kill) {
        if (gop < 1 || fps <= 0) {
            throw new IllegalArgumentException("migration needs fps > 0 and gop >= 1");
        }
        this.streams = streams;
        this.playersPerStream = playersPerStream;
        this.fps = fps;
        this.size = size;
        this.gop = gop;
        this.warmupSeconds = warmupSeconds;
        this.windowSeconds = windowSeconds;
        this.rampSeconds = rampSeconds;
        this.heartbeatSeconds = heartbeatSeconds;
        this.kill = kill;
    }

    static MigrationScenario from(BenchMain.Options o) {
        return new MigrationScenario(o.integer("migration.streams", 50), o.integer("migration.players", 2),
                o.decimal("migration.fps", 25), o.integer("migration.size", 1000), o.integer("migration.gop", 25),
                o.integer("migration.warmup", 20), o.integer("migration.duration", 20),
                o.integer("migration.ramp", 60), o.integer("migration.heartbeat", 9),
                o.integer("migration.kill", 1) != 0);
    }

    String describe() {
        return String.format("migration: %d stream(s) x %d player(s) through the proxy, 2 nginx-rtmp origins, "
                        + "%s msg/s x %d B per stream, keyframe every %d messages (%.2f s), warm-up %d s, windows of "
                        + "%d s: quiet, drain%s; origins heartbeat %s", streams, playersPerStream,
                fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps), size, gop, gop / fps,
                warmupSeconds, windowSeconds, kill ? ", kill" : "",
                heartbeatSeconds > 0 ? "every " + heartbeatSeconds + " s (as SRS)" : "once (PROXY_REGISTER_TTL=1h)");
    }

    // ------------------------------------------------------------------ what a window measured

    /** One group of players in one window. */
    record Group(int players, long messages, long gapP50, long gapP99, long gapMax, long lost, int playersLosing,
                 long duplicates, int playersDuplicated, long gapEndP50FromEvent) {

        static Group of(List<GapTracker.Window> ws, long eventNanos) {
            long[] gaps = ws.stream().mapToLong(GapTracker.Window::longestGapNanos).toArray();
            long[] ends = ws.stream().filter(w -> w.longestGapEndNanos() >= 0)
                    .mapToLong(w -> w.longestGapEndNanos() - eventNanos).toArray();
            return new Group(ws.size(), ws.stream().mapToLong(GapTracker.Window::messages).sum(),
                    GapTracker.percentile(gaps, 0.50), GapTracker.percentile(gaps, 0.99),
                    GapTracker.percentile(gaps, 1.0), ws.stream().mapToLong(GapTracker.Window::lost).sum(),
                    (int) ws.stream().filter(w -> w.lost() > 0).count(),
                    ws.stream().mapToLong(GapTracker.Window::duplicates).sum(),
                    (int) ws.stream().filter(w -> w.duplicates() > 0).count(),
                    eventNanos < 0 || ends.length == 0 ? Long.MIN_VALUE : GapTracker.percentile(ends, 0.50));
        }
    }

    /** One window: the players whose stream was on the affected origin ("moved") and the others. */
    record Window(String label, double seconds, Group moved, Group others, long publishersClosed,
                  long playersClosed, long skipped, Map<String, Long> statuses, long latencyP50, long latencyP99,
                  String origin, int originSessions, int originStreams, long callMillis, long emptiedMillis,
                  int sessionsLeft, Map<String, Double> moves, double stallCount, double stallSumSeconds,
                  double stallMaxSeconds, Boolean drainingAfter, long undrainedMillis,
                  List<GapTracker.Window> movedRaw, List<GapTracker.Window> othersRaw, long markNanos) {

        /** Per player of {@code ws}, the longest gap overlapping {@code [markNanos, markNanos + lengthNanos]}. */
        static long[] gapsIn(List<GapTracker.Window> ws, long mark, long lengthNanos) {
            return ws.stream().mapToLong(w -> GapTracker.longestGap(w, mark, mark + lengthNanos)).toArray();
        }

        /** The part of the window the event's stalls start in: until the origin was empty, plus a second. */
        long eventSpanNanos() {
            long toEnd = (long) (seconds * 1e9) - (long) 1e9;
            return emptiedMillis >= 0 ? Math.min(toEnd, (emptiedMillis + 1000) * 1_000_000L) : toEnd;
        }
    }

    // ------------------------------------------------------------------ the run

    void run(PrintStream out, Path work, int redisPort, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv, RtmpLoad load) {
        List<AutoCloseable> open = new ArrayList<>();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-heartbeat");
            t.setDaemon(true);
            return t;
        });
        List<RtmpLoad.Client> clients = new ArrayList<>();
        try {
            NginxRtmpOrigin a = NginxRtmpOrigin.builder("nginx-rtmp-a").workDir(work).forLoad().start();
            open.add(a);
            NginxRtmpOrigin b = NginxRtmpOrigin.builder("nginx-rtmp-b").workDir(work).forLoad().start();
            open.add(b);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-migration");
            if (heartbeatSeconds <= 0) {
                env.put("PROXY_REGISTER_TTL", "1h");
            }
            env.putAll(proxyEnv);
            ProxyProcess proxy = ProxyProcess.start("proxy-migration", proxyJar, javaOpts, work, 0,
                    Ports.freeUdp(), redisPort, env);
            open.add(proxy);
            Api api = new Api(proxy.systemApiPort());
            Map<String, NginxRtmpOrigin> byId = new LinkedHashMap<>();
            Map<String, String> bodies = new ConcurrentHashMap<>();
            for (NginxRtmpOrigin n : List.of(a, b)) {
                String service = n == a ? "origin-a" : "origin-b";
                String body = String.format("{\"device_id\":\"%s\",\"ip\":\"127.0.0.1\",\"server\":\"bench\","
                        + "\"service\":\"%s\",\"pid\":\"%d\",\"rtmp\":[\"127.0.0.1:%d\"]}", service, service,
                        n.pid(), n.rtmpPort());
                String id = "bench-" + service + "-" + n.pid();
                api.post("/api/v1/srs/register", body);
                byId.put(id, n);
                bodies.put(id, body);
            }
            if (heartbeatSeconds > 0) {
                heartbeat.scheduleAtFixedRate(() -> bodies.values().forEach(body -> {
                    try {
                        api.post("/api/v1/srs/register", body);
                    } catch (RuntimeException e) {
                        System.err.println("heartbeat failed: " + e);
                    }
                }), heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
            }
            out.println("   proxy pid " + proxy.pid() + " rtmp 127.0.0.1:" + proxy.rtmpPort() + " system api 127.0.0.1:"
                    + proxy.systemApiPort() + ", log " + proxy.log() + "; origins " + byId.entrySet().stream()
                    .map(e -> e.getKey() + " = nginx-rtmp 127.0.0.1:" + e.getValue().rtmpPort())
                    .collect(Collectors.joining(", ")));

            // ---- load: publishers with switch points, players with gap trackers
            LoadStats pubStats = new LoadStats();
            LoadStats playStats = new LoadStats();
            String prefix = "bench-migration-" + System.currentTimeMillis() % 100000 + "-";
            int port = proxy.rtmpPort();
            RtmpLoad.Ramp pubs = load.ramp(streams, i -> load.open(port, RtmpLoadClient.Role.PUBLISH, prefix + i,
                    pubStats, fps, size, gop, null), rampSeconds, Math.max(10, streams / 10));
            clients.addAll(pubs.ready());
            if (pubs.ready().isEmpty()) {
                throw new IllegalStateException("migration: no publisher started: " + pubs.failures());
            }
            int players = streams * playersPerStream;
            GapTracker[] trackers = new GapTracker[players];
            for (int i = 0; i < players; i++) {
                trackers[i] = new GapTracker();
            }
            RtmpLoad.Ramp plays = load.ramp(players, i -> load.open(port, RtmpLoadClient.Role.PLAY,
                    prefix + (i % streams), playStats, 0, 0, 0, trackers[i]), rampSeconds, Math.max(20, players / 20));
            clients.addAll(plays.ready());
            out.printf("   %d publishers up, %d players up in %.1f s, %d set-ups failed%s%n", pubs.ready().size(),
                    plays.ready().size(), pubs.seconds() + plays.seconds(),
                    pubs.failures().size() + plays.failures().size(),
                    pubs.failures().isEmpty() && plays.failures().isEmpty() ? "" : " "
                            + concat(pubs.failures(), plays.failures()).stream().distinct().limit(3).toList());
            Pause.millis(warmupSeconds * 1000L);
            out.println("   after warm-up: " + originSummary(api.origins()));

            List<Window> windows = new ArrayList<>();
            // ---- quiet: nothing happens
            windows.add(window("quiet", api, trackers, pubStats, playStats, Set.of(), null, () -> -1L, null));

            // ---- drain: the origin holding most sessions
            Map<String, JsonNode> before = api.origins();
            String victim = before.values().stream()
                    .max((x, y) -> Integer.compare(x.path("sessions").asInt(), y.path("sessions").asInt()))
                    .map(n -> n.path("id").asText()).orElseThrow();
            Set<Integer> onVictim = streamsOn(api, victim, prefix);
            windows.add(window("drain", api, trackers, pubStats, playStats, onVictim, victim, () -> {
                long t = System.nanoTime();
                api.post("/api/v1/origins/" + victim + "/drain", "");
                return t;
            }, before.get(victim)));

            // ---- kill: the origin that took the streams dies; the drained one takes them back
            if (kill) {
                api.delete("/api/v1/origins/" + victim + "/drain");
                Pause.millis(2000);
                Map<String, JsonNode> now = api.origins();
                String survivor = now.values().stream()
                        .max((x, y) -> Integer.compare(x.path("sessions").asInt(), y.path("sessions").asInt()))
                        .map(n -> n.path("id").asText()).orElseThrow();
                Set<Integer> onSurvivor = streamsOn(api, survivor, prefix);
                NginxRtmpOrigin dying = byId.get(survivor);
                windows.add(window("kill", api, trackers, pubStats, playStats, onSurvivor, survivor, () -> {
                    bodies.remove(survivor); // a dead origin sends no heartbeat
                    long t = System.nanoTime();
                    dying.kill();
                    return t;
                }, now.get(survivor)));
            }
            print(out, pubs.ready().size(), plays.ready().size(), windows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            heartbeat.shutdownNow();
            RtmpLoad.closeAll(clients);
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.err.println("close failed: " + e);
                }
            }
        }
    }

    interface Event {
        /** Does the thing and returns System.nanoTime() at the moment it was done, or -1 for none. */
        long fire() throws IOException;
    }

    private Window window(String label, Api api, GapTracker[] trackers, LoadStats pubStats, LoadStats playStats,
                          Set<Integer> affected, String origin, Event event, JsonNode originBefore)
            throws IOException {
        List<PromText.Sample> m0 = PromText.parse(api.get("/metrics"));
        long pubClosed0 = pubStats.closed.sum();
        long playClosed0 = playStats.closed.sum();
        long skipped0 = pubStats.skippedMessages.sum();
        Map<String, Long> statuses0 = concatStatuses(pubStats, playStats);
        LatencyHistogram h = new LatencyHistogram();
        long start = System.nanoTime();
        for (GapTracker t : trackers) {
            t.take(start); // what came before does not count
        }
        playStats.openWindow(h);
        long end = start + windowSeconds * 1_000_000_000L;
        // let a second of normal traffic pass first, so the event is inside the window, not at its edge
        Pause.millis(Math.min(1000, windowSeconds * 250L));
        long fired = event.fire();
        long mark = fired < 0 ? System.nanoTime() : fired;
        long callMillis = fired < 0 ? -1 : (System.nanoTime() - fired) / 1_000_000;
        long emptied = -1;
        int left = -1;
        long undrained = -1;
        boolean drain = label.equals("drain");
        while (System.nanoTime() < end) {
            if (origin != null && (emptied < 0 || drain && undrained < 0)) {
                JsonNode o = api.origins().get(origin);
                long at = (System.nanoTime() - fired) / 1_000_000;
                left = o == null ? 0 : o.path("sessions").asInt();
                if (left == 0 && emptied < 0) {
                    emptied = at;
                }
                if (drain && undrained < 0 && o != null && !o.path("draining").asBoolean()) {
                    undrained = at; // someone cleared the flag (nobody should, in this window)
                }
                Pause.millis(emptied < 0 ? 50 : 200);
            } else {
                Pause.millis(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
            }
        }
        long stop = System.nanoTime();
        playStats.closeWindow();
        List<GapTracker.Window> moved = new ArrayList<>();
        List<GapTracker.Window> others = new ArrayList<>();
        for (int i = 0; i < trackers.length; i++) {
            (affected.contains(i % streams) ? moved : others).add(trackers[i].take(stop));
        }
        List<PromText.Sample> m1 = PromText.parse(api.get("/metrics"));
        Map<String, Double> moves = new TreeMap<>();
        for (PromText.Sample s : m1) {
            if (s.name().equals(MOVES)) {
                String k = s.labels().get("reason") + " " + s.labels().get("outcome");
                double d = s.value() - PromText.sum(m0, MOVES, l -> l.equals(s.labels()));
                if (d != 0) {
                    moves.merge(k, d, Double::sum);
                }
            }
        }
        double stallCount = PromText.sum(m1, STALL + "_count", l -> true) - PromText.sum(m0, STALL + "_count", l -> true);
        double stallSum = PromText.sum(m1, STALL + "_sum", l -> true) - PromText.sum(m0, STALL + "_sum", l -> true);
        double stallMax = PromText.max(m1, STALL + "_max", l -> true);
        Boolean drainingAfter = null;
        if (origin != null && label.equals("drain")) {
            JsonNode o = api.origins().get(origin);
            drainingAfter = o == null ? null : o.path("draining").asBoolean();
        }
        Map<String, Long> statuses = new TreeMap<>();
        concatStatuses(pubStats, playStats).forEach((k, v) -> {
            long d = v - statuses0.getOrDefault(k, 0L);
            if (d != 0) {
                statuses.put(k, d);
            }
        });
        return new Window(label, (stop - start) / 1e9, Group.of(moved, fired), Group.of(others, fired),
                pubStats.closed.sum() - pubClosed0, playStats.closed.sum() - playClosed0,
                pubStats.skippedMessages.sum() - skipped0, statuses, h.percentile(0.50), h.percentile(0.99),
                origin, originBefore == null ? 0 : originBefore.path("sessions").asInt(), affected.size(), callMillis,
                emptied, left, moves, stallCount, stallSum, stallMax, drainingAfter, undrained, moved, others, mark);
    }

    private static Map<String, Long> concatStatuses(LoadStats a, LoadStats b) {
        Map<String, Long> m = new TreeMap<>(a.statusesAfterStart());
        b.statusesAfterStart().forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** Indexes of this run's streams pinned to {@code origin} (GET /api/v1/streams). */
    private Set<Integer> streamsOn(Api api, String origin, String prefix) throws IOException {
        Set<Integer> out = new HashSet<>();
        for (JsonNode s : JSON.readTree(api.get("/api/v1/streams")).path("streams")) {
            String key = s.path("key").asText();
            int slash = key.lastIndexOf('/');
            String name = key.substring(slash + 1);
            if (origin.equals(s.path("origin").asText()) && name.startsWith(prefix)) {
                try {
                    out.add(Integer.parseInt(name.substring(prefix.length())));
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            }
        }
        return out;
    }

    private static String originSummary(Map<String, JsonNode> origins) {
        return origins.values().stream().map(o -> o.path("id").asText() + " " + o.path("sessions").asInt()
                + " sessions, " + o.path("pinnedStreams").asInt() + " pinned streams"
                + (o.path("draining").asBoolean() ? ", draining" : "")).collect(Collectors.joining("; "));
    }

    // ------------------------------------------------------------------ the report

    private void print(PrintStream out, int publishers, int players, List<Window> windows) {
        out.println();
        out.println("== " + describe());
        out.printf("%-15s %7s %8s %9s %9s %9s %9s %11s %11s %7s %7s %9s %9s%n", "window/players", "players", "msgs",
                "gap p50", "gap p99", "gap max", "gap end", "lost (pl.)", "dup (pl.)", "pub cl", "play cl", "lat p50",
                "lat p99");
        for (Window w : windows) {
            row(out, w.label() + (w.origin() == null ? " all" : " moved"), w, w.origin() == null ? w.others() : w.moved());
            if (w.origin() != null && w.others().players() > 0) {
                row(out, w.label() + " others", w, w.others());
            }
        }
        out.println("  (gap: per player, the longest time between two consecutive messages in the window, ms; gap end: "
                + "p50 of when those gaps ended, after the drain call or the kill; lost: "
                + "sequence numbers never received; dup: received again or out of order; pub cl/play cl: client "
                + "connections closed in the window; lat: one-way latency of every message in the window, us)");
        Window quiet = windows.get(0);
        long jitterP99 = quiet.others().gapP99();
        for (Window w : windows.subList(1, windows.size())) {
            Group g = w.moved();
            out.printf("%-8s origin %s held %d sessions (%d of %d streams with their players); %s %s; its sessions "
                            + "reached 0 %s%n", w.label(), w.origin(), w.originSessions(), w.originStreams(), streams,
                    w.label().equals("drain") ? "drain call answered in" : "SIGKILL took",
                    w.callMillis() + " ms", w.emptiedMillis() >= 0 ? w.emptiedMillis() + " ms after the "
                            + (w.label().equals("drain") ? "drain call" : "kill") + " (time to "
                            + (w.label().equals("drain") ? "drain" : "re-route every session") + ")"
                            : "NOT within the window (" + w.sessionsLeft() + " left)");
            out.printf("         whole window: moved players' longest gap p50 %s, p99 %s, max %s (%d players; those gaps "
                            + "ended p50 %s from the event); quiet window's longest-gap p99 %s: %.1f x quiet%n",
                    ms(g.gapP50()), ms(g.gapP99()), ms(g.gapMax()), g.players(), signedMs(g.gapEndP50FromEvent()),
                    ms(jitterP99), jitterP99 > 0 ? (double) g.gapP99() / jitterP99 : 0);
            long span = w.eventSpanNanos();
            long[] stall = Window.gapsIn(w.movedRaw(), w.markNanos(), span);
            long[] quietSame = Window.gapsIn(quiet.othersRaw(), quiet.markNanos(), span);
            long qp99 = GapTracker.percentile(quietSame, 0.99);
            out.printf("         around the event, [event, event + %.1f s]: moved players' longest gap p50 %s, p99 %s, "
                            + "max %s; the same span of the quiet window (all players) p50 %s, p99 %s, max %s: p99 "
                            + "stall = %.1f x quiet%n", span / 1e9, ms(GapTracker.percentile(stall, 0.5)),
                    ms(GapTracker.percentile(stall, 0.99)), ms(GapTracker.percentile(stall, 1.0)),
                    ms(GapTracker.percentile(quietSame, 0.5)), ms(qp99), ms(GapTracker.percentile(quietSame, 1.0)),
                    qp99 > 0 ? (double) GapTracker.percentile(stall, 0.99) / qp99 : 0);
            out.printf("         messages lost %d (%d players), duplicated %d (%d players); publishers disconnected "
                            + "%d of %d, players disconnected %d of %d; publisher messages skipped (socket full) %d; "
                            + "onStatus after start %s%n", g.lost(), g.playersLosing(), g.duplicates(),
                    g.playersDuplicated(), w.publishersClosed(), publishers, w.playersClosed(), players, w.skipped(),
                    w.statuses());
            out.printf("         proxy /metrics in the window: moves %s; stall histogram %s%s%n",
                    w.moves().isEmpty() ? "none" : w.moves().entrySet().stream().map(e -> e.getKey() + " "
                            + (long) e.getValue().doubleValue()).collect(Collectors.joining(", ")),
                    w.stallCount() > 0 ? String.format("count %d, mean %.1f ms, max %.1f ms", (long) w.stallCount(),
                            1000 * w.stallSumSeconds() / w.stallCount(), 1000 * w.stallMaxSeconds()) : "empty",
                    w.drainingAfter() == null ? "" : "; origin still marked draining at the window's end: "
                            + w.drainingAfter() + (w.undrainedMillis() < 0 ? "" : " (the flag was gone "
                            + w.undrainedMillis() + " ms after the drain call"
                            + (heartbeatSeconds > 0 ? "; the origins' heartbeats every " + heartbeatSeconds
                            + " s re-register them with draining off" : "") + ")"));
        }
        if (!quiet.statuses().isEmpty() || quiet.publishersClosed() + quiet.playersClosed() > 0) {
            out.println("quiet    onStatus after start " + quiet.statuses() + ", closed publishers "
                    + quiet.publishersClosed() + ", players " + quiet.playersClosed());
        }
        out.flush();
    }

    private static void row(PrintStream out, String name, Window w, Group g) {
        out.printf("%-15s %7d %8d %9s %9s %9s %9s %11s %11s %7d %7d %9d %9d%n", name, g.players(), g.messages(),
                ms(g.gapP50()), ms(g.gapP99()), ms(g.gapMax()), signedMs(g.gapEndP50FromEvent()), g.lost() + " (" + g.playersLosing() + ")",
                g.duplicates() + " (" + g.playersDuplicated() + ")", w.publishersClosed(), w.playersClosed(),
                w.latencyP50(), w.latencyP99());
    }

    private static String signedMs(long nanos) {
        return nanos == Long.MIN_VALUE ? "-" : String.format("%+.0f ms", nanos / 1e6);
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format("%.1f ms", nanos / 1e6);
    }

    // ------------------------------------------------------------------ the proxy's system API

    private static final class Api {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        Api(int port) {
            base = "http://127.0.0.1:" + port;
        }

        String get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        }

        String post(String path, String body) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        String delete(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
        }

        Map<String, JsonNode> origins() throws IOException {
            Map<String, JsonNode> out = new LinkedHashMap<>();
            for (JsonNode o : JSON.readTree(get("/api/v1/origins")).path("origins")) {
                out.put(o.path("id").asText(), o);
            }
            return out;
        }

        /** Up to three attempts: a failed call is reported (with what listens on the port) and retried. */
        private String send(HttpRequest.Builder b) {
            HttpRequest r = b.timeout(Duration.ofSeconds(10)).build();
            IOException last = null;
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
                    if (resp.statusCode() / 100 != 2) {
                        throw new IllegalStateException(r.method() + " " + r.uri() + ": " + resp.statusCode() + " "
                                + resp.body());
                    }
                    return resp.body();
                } catch (IOException e) {
                    last = e;
                    System.err.println("[" + java.time.Instant.now() + "] " + r.method() + " " + r.uri()
                            + " failed (attempt " + attempt + "): " + rootCause(e) + "; listening: "
                            + listening(r.uri().getPort()));
                    Pause.millis(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            throw new UncheckedIOException(r.method() + " " + r.uri(), last);
        }

        private static String rootCause(Throwable t) {
            StringBuilder sb = new StringBuilder(t.toString());
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                sb.append(" <- ").append(c);
            }
            return sb.toString();
        }

        /** What `ss` says about the port, for a failed call's report. */
        private static String listening(int port) {
            try {
                Process p = new ProcessBuilder("ss", "-tanH", "sport = :" + port + " or dport = :" + port)
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor(2, TimeUnit.SECONDS);
                Map<String, Long> states = out.lines().map(l -> l.trim().split("\\s+")[0])
                        .collect(Collectors.groupingBy(x -> x, TreeMap::new, Collectors.counting()));
                return states.toString();
            } catch (IOException | InterruptedException e) {
                return "? (" + e + ")";
            }
        }
    }
}

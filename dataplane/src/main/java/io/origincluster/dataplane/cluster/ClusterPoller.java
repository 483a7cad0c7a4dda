package io.origincluster.dataplane.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.util.concurrent.EventExecutor;
import io.origincluster.dataplane.config.ClusterSettings;
import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every live origin's own HTTP API in the background and keeps the last complete result, so
 * {@code /api/v1/cluster/*} answers from memory and a slow origin never slows it. One poll: the live origins and pins
 * from the state store, then, at most {@code pollConcurrency} origins at a time, each origin's summaries, vhosts,
 * streams and clients (paged, at most {@link #MAX_ITEMS} each), all within {@code pollTimeout} per origin. The next
 * poll starts {@code pollInterval} after the previous one started, or at once when it took longer; polls never
 * overlap. An origin's figures are also exported as per-origin gauges, replaced wholesale each poll (origins that
 * left drop out).
 */
public final class ClusterPoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterPoller.class);

    /** Page size asked of SRS (it answers at least 10, 10 by default). */
    static final int PAGE = 100;
    /** Streams, and clients, read per origin and poll. */
    static final int MAX_ITEMS = 1000;

    private final ClusterSettings settings;
    private final StateStore store;
    private final OriginApiClient client;
    private final Clock clock = Clock.systemUTC();
    private volatile ClusterSnapshot snapshot;
    private volatile boolean closed;
    private volatile io.netty.util.concurrent.ScheduledFuture<?> next;
    private final AtomicLong lastTookMs = new AtomicLong();
    private final MultiGauge cpu;
    private final MultiGauge memory;
    private final MultiGauge connections;
    private final MultiGauge streams;
    private final MultiGauge clients;
    private final MultiGauge recvBits;
    private final MultiGauge sendBits;
    private final MultiGauge up;

    public ClusterPoller(ClusterSettings settings, StateStore store, ObjectMapper mapper, MeterRegistry registry) {
        this.settings = settings;
        this.store = store;
        this.client = new OriginApiClient(mapper, settings.pollTimeout());
        cpu = gauge(registry, "origincluster.origin.cpu.percent", "The origin's own CPU use as it reports it (SRS self.cpu_percent)");
        memory = gauge(registry, "origincluster.origin.memory.bytes", "The origin process's memory (SRS self.mem_kbyte)");
        connections = gauge(registry, "origincluster.origin.connections", "Connections the origin reports (SRS system.conn_srs)");
        streams = gauge(registry, "origincluster.origin.streams", "Streams the origin reports");
        clients = gauge(registry, "origincluster.origin.clients", "Clients the origin reports");
        recvBits = gauge(registry, "origincluster.origin.receive.bits.per.second",
                "Bitrate into the origin, sum over its streams (SRS kbps.recv_30s)");
        sendBits = gauge(registry, "origincluster.origin.send.bits.per.second",
                "Bitrate out of the origin, sum over its streams (SRS kbps.send_30s)");
        up = gauge(registry, "origincluster.origin.api.up", "1 when the origin's HTTP API answered the last poll, else 0");
        Gauge.builder("origincluster.cluster.poll.duration.seconds", lastTookMs, v -> v.get() / 1000.0)
                .description("How long the last complete cluster poll took").register(registry);
        Gauge.builder("origincluster.cluster.poll.age.seconds", this, p -> {
            ClusterSnapshot s = p.snapshot;
            return s == null ? Double.NaN : (p.clock.millis() - s.takenAt().toEpochMilli()) / 1000.0;
        }).description("Age of the snapshot the cluster API answers from").register(registry);
    }

    private static MultiGauge gauge(MeterRegistry registry, String name, String description) {
        return MultiGauge.builder(name).description(description).register(registry);
    }

    /** Starts polling now, then every interval; timers run on {@code scheduler}, the work on the poll threads. */
    public void start(EventExecutor scheduler) {
        schedule(scheduler, 0);
    }

    private void schedule(EventExecutor scheduler, long delayMs) {
        if (closed) {
            return;
        }
        try {
            next = scheduler.schedule(() -> pollThenReschedule(scheduler), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("cluster poller stopped: the event loops are shutting down");
        }
    }

    private void pollThenReschedule(EventExecutor scheduler) {
        long started = System.nanoTime();
        CompletionStage<ClusterSnapshot> polled;
        try {
            polled = poll();
        } catch (RuntimeException e) {
            polled = CompletableFuture.failedFuture(e);
        }
        polled.whenComplete((s, err) -> {
            if (err != null) {
                log.atWarn().log("cluster poll failed: {}", rootMessage(err));
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            schedule(scheduler, Math.max(0, settings.pollInterval().toMillis() - took));
        });
    }

    /** The last complete poll, or empty before the first one completed. */
    public Optional<ClusterSnapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** One poll of the whole cluster; the snapshot is replaced when it completes. */
    public CompletionStage<ClusterSnapshot> poll() {
        long started = System.nanoTime();
        Instant at = clock.instant();
        return store.liveBackends().thenCombine(store.pins(), (backends, pins) -> {
            List<Backend> sorted = new ArrayList<>(backends);
            sorted.sort(Comparator.comparing(Backend::id));
            return Map.entry(sorted, pins);
        }).thenCompose(e -> pollAll(e.getKey()).thenApply(reports -> {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            ClusterSnapshot s = new ClusterSnapshot(at, took, e.getKey(), Map.copyOf(e.getValue()), reports);
            if (!closed) {
                snapshot = s;
                lastTookMs.set(took);
                export(s);
            }
            return s;
        }));
    }

    private CompletionStage<Map<String, OriginReport>> pollAll(List<Backend> backends) {
        int n = backends.size();
        AtomicReferenceArray<OriginReport> out = new AtomicReferenceArray<>(n);
        CompletableFuture<Map<String, OriginReport>> done = new CompletableFuture<>();
        if (n == 0) {
            done.complete(Map.of());
            return done;
        }
        AtomicInteger nextIndex = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Runnable[] worker = new Runnable[1];
        worker[0] = () -> {
            int i = nextIndex.getAndIncrement();
            if (i >= n) {
                return;
            }
            pollOrigin(backends.get(i)).whenComplete((r, err) -> {
                out.set(i, r != null ? r : OriginReport.failed(backends.get(i).id(), null,
                        "internal error: " + rootMessage(err), clock.instant(), 0));
                if (finished.incrementAndGet() == n) {
                    Map<String, OriginReport> m = new LinkedHashMap<>();
                    for (int k = 0; k < n; k++) {
                        m.put(out.get(k).id(), out.get(k));
                    }
                    done.complete(m);
                } else {
                    worker[0].run();
                }
            });
        };
        for (int w = 0; w < Math.min(n, settings.pollConcurrency()); w++) {
            worker[0].run();
        }
        return done;
    }

    /** One origin, never failing: errors become a report with status {@code error}. */
    CompletionStage<OriginReport> pollOrigin(Backend b) {
        Instant at = clock.instant();
        Optional<Endpoint> ep = b.endpoint(Protocol.API);
        if (ep.isEmpty()) {
            return CompletableFuture.completedFuture(OriginReport.noApi(b.id(), at));
        }
        String base;
        try {
            InetSocketAddress a = ep.get().resolve(b.ip());
            String host = a.getHostString().indexOf(':') >= 0 ? "[" + a.getHostString() + "]" : a.getHostString();
            base = "http://" + host + ":" + a.getPort();
            URI.create(base);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(OriginReport.failed(b.id(), null,
                    "bad api endpoint: " + e.getMessage(), at, 0));
        }
        long started = System.nanoTime();
        CompletableFuture<SrsReplies.Summary> summary = get(base, "/api/v1/summaries", SrsReplies::summary);
        CompletableFuture<Map<String, String>> vhosts = get(base, "/api/v1/vhosts/", SrsReplies::vhosts);
        CompletableFuture<Paged<SrsReplies.Stream>> streamList = paged(base, "/api/v1/streams/", SrsReplies::streams);
        CompletableFuture<Paged<SrsReplies.Client>> clientList = paged(base, "/api/v1/clients/", SrsReplies::clients);
        return CompletableFuture.allOf(summary, vhosts, streamList, clientList)
                .orTimeout(settings.pollTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, err) -> {
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    if (err != null) {
                        Throwable cause = root(err);
                        String why = cause instanceof TimeoutException
                                ? "no complete answer within " + settings.pollTimeout().toMillis() + "ms"
                                : cause.getMessage() == null ? cause.toString() : cause.getMessage();
                        for (CompletableFuture<?> f : List.of(summary, vhosts, streamList, clientList)) {
                            f.cancel(true);
                        }
                        log.atDebug().addKeyValue("backend", b.id()).log("origin API poll failed: {}", why);
                        return OriginReport.failed(b.id(), base, why, at, took);
                    }
                    Map<String, String> names = vhosts.join();
                    List<OriginReport.StreamRow> rows = new ArrayList<>();
                    Map<String, String> keyByStreamId = new LinkedHashMap<>();
                    for (SrsReplies.Stream s : streamList.join().items()) {
                        String key = key(names, s.vhostId(), s.app(), s.name());
                        rows.add(new OriginReport.StreamRow(key, s));
                        keyByStreamId.put(s.id(), key);
                    }
                    List<OriginReport.ClientRow> crows = new ArrayList<>();
                    for (SrsReplies.Client c : clientList.join().items()) {
                        String key = c.streamId() != null && keyByStreamId.containsKey(c.streamId())
                                ? keyByStreamId.get(c.streamId())
                                : c.app() != null && c.name() != null ? key(names, c.vhostId(), c.app(), c.name()) : null;
                        crows.add(new OriginReport.ClientRow(key, c));
                    }
                    return new OriginReport(b.id(), base, OriginReport.OK, null, summary.join(), List.copyOf(rows),
                            streamList.join().truncated(), List.copyOf(crows), clientList.join().truncated(), at,
                            took);
                });
    }

    /** {@code vhost/app/stream}, the vhost named through the origin's vhost list (SRS gives ids). */
    private static String key(Map<String, String> vhostNames, String vhostId, String app, String name) {
        String vhost = vhostId == null ? "__defaultVhost__" : vhostNames.getOrDefault(vhostId, vhostId);
        return vhost + "/" + app + "/" + name;
    }

    private record Paged<T>(List<T> items, boolean truncated) { }

    private interface PageParser<T> {
        List<T> parse(JsonNode root, int offset);
    }

    private <T> CompletableFuture<T> get(String base, String path, Function<JsonNode, T> parser) {
        return client.getJson(URI.create(base + path)).thenApply(parser).toCompletableFuture();
    }

    private <T> CompletableFuture<Paged<T>> paged(String base, String path, PageParser<T> parser) {
        CompletableFuture<Paged<T>> out = new CompletableFuture<>();
        page(base, path, parser, new ArrayList<>(), out);
        return out;
    }

    private <T> void page(String base, String path, PageParser<T> parser, List<T> acc,
                          CompletableFuture<Paged<T>> out) {
        if (out.isDone()) {
            return; // cancelled by the origin's deadline
        }
        int start = acc.size();
        client.getJson(URI.create(base + path + "?start=" + start + "&count=" + PAGE)).whenComplete((root, err) -> {
            if (err != null) {
                out.completeExceptionally(root(err));
                return;
            }
            List<T> items;
            try {
                items = parser.parse(root, start);
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            acc.addAll(items.subList(0, Math.min(items.size(), MAX_ITEMS - start)));
            if (items.size() < PAGE) {
                out.complete(new Paged<>(acc, false));
            } else if (acc.size() >= MAX_ITEMS) {
                out.complete(new Paged<>(acc, true));
            } else {
                page(base, path, parser, acc, out);
            }
        });
    }

    private void export(ClusterSnapshot s) {
        List<MultiGauge.Row<?>> cpuRows = new ArrayList<>();
        List<MultiGauge.Row<?>> memRows = new ArrayList<>();
        List<MultiGauge.Row<?>> connRows = new ArrayList<>();
        List<MultiGauge.Row<?>> streamRows = new ArrayList<>();
        List<MultiGauge.Row<?>> clientRows = new ArrayList<>();
        List<MultiGauge.Row<?>> recvRows = new ArrayList<>();
        List<MultiGauge.Row<?>> sendRows = new ArrayList<>();
        List<MultiGauge.Row<?>> upRows = new ArrayList<>();
        for (OriginReport r : s.reports().values()) {
            if (r.status().equals(OriginReport.NO_API)) {
                continue;
            }
            Tags t = Tags.of("origin", r.id());
            upRows.add(MultiGauge.Row.of(t, r.status().equals(OriginReport.OK) ? 1 : 0));
            if (!r.status().equals(OriginReport.OK)) {
                continue;
            }
            SrsReplies.Summary sum = r.summary();
            if (sum.cpuPercent() != null) {
                cpuRows.add(MultiGauge.Row.of(t, sum.cpuPercent()));
            }
            if (sum.memoryKbyte() != null) {
                memRows.add(MultiGauge.Row.of(t, sum.memoryKbyte() * 1024.0));
            }
            if (sum.connections() != null) {
                connRows.add(MultiGauge.Row.of(t, sum.connections()));
            }
            streamRows.add(MultiGauge.Row.of(t, r.streams().size()));
            clientRows.add(MultiGauge.Row.of(t, r.clients().size()));
            recvRows.add(MultiGauge.Row.of(t, r.recvKbps() * 1000.0));
            sendRows.add(MultiGauge.Row.of(t, r.sendKbps() * 1000.0));
        }
        cpu.register(cpuRows, true);
        memory.register(memRows, true);
        connections.register(connRows, true);
        streams.register(streamRows, true);
        clients.register(clientRows, true);
        recvBits.register(recvRows, true);
        sendBits.register(sendRows, true);
        up.register(upRows, true);
    }

    static Throwable root(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String rootMessage(Throwable t) {
        Throwable r = root(t);
        return r.getMessage() == null ? r.toString() : r.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        var f = next;
        if (f != null) {
            f.cancel(false);
        }
        client.close();
    }
}

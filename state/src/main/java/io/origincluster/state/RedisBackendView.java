package io.origincluster.state;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy's view of the live backends and their pin counts, which placement reads without a round trip, plus the
 * fan-out of backend events to listeners. Kept current by the cluster's pub/sub events and by a periodic resync
 * that also reports what no event announced (lapsed leases, messages lost while disconnected). Listeners and
 * resyncs run on one store thread.
 */
final class RedisBackendView implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisBackendView.class);

    /** Live backends and their pin counts as of server time {@code serverMs}. */
    record Snapshot(long serverMs, Map<String, Backend> backends, ConcurrentHashMap<String, Long> pinCounts) {

        long pinned(String id) {
            Long n = pinCounts.get(id);
            return n == null ? 0 : n;
        }

        void counted(String backendId, int delta) {
            pinCounts.compute(backendId, (k, n) -> {
                long v = (n == null ? 0 : n) + delta;
                return v > 0 ? v : null;
            });
        }

        /** This snapshot minus a backend removed at server time {@code atMs}; snapshots loaded before are older. */
        Snapshot without(String id, long atMs) {
            Map<String, Backend> rest = new LinkedHashMap<>(backends);
            rest.remove(id);
            return new Snapshot(Math.max(serverMs, atMs), rest, pinCounts);
        }
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final RedisKeys keys;
    private final ScheduledExecutorService worker;
    private final List<Consumer<BackendEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Snapshot> current =
            new AtomicReference<>(new Snapshot(0, Map.of(), new ConcurrentHashMap<>()));
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Backend id to draining flag as last reported to listeners; worker thread only. */
    private Map<String, Boolean> announced = new HashMap<>();
    private boolean resyncFailing;

    RedisBackendView(RedisClusterAsyncCommands<String, String> redis, RedisKeys keys, String clusterId) {
        this.redis = redis;
        this.keys = keys;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-state-" + clusterId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the first snapshot (waiting, at start-up only) and starts the periodic resync. */
    void start(Duration resyncInterval, Duration timeout) {
        try {
            Snapshot first = load().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            current.set(first);
            Map<String, Boolean> initial = new HashMap<>();
            first.backends().values().forEach(b -> initial.put(b.id(), b.draining()));
            worker.execute(() -> announced = initial);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading backends", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("loading backends failed: " + RedisRecords.rootMessage(e), e);
        }
        long every = Math.max(100, resyncInterval.toMillis());
        worker.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
    }

    Snapshot current() {
        return current.get();
    }

    AutoCloseable subscribe(Consumer<BackendEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Drops a backend this store just deregistered; the published event will follow. */
    void removed(String backendId) {
        current.updateAndGet(s -> s.without(backendId, 0));
    }

    /** Reads the live backends from Redis and makes them the view. */
    CompletionStage<Snapshot> refresh() {
        CompletableFuture<Snapshot> done = new CompletableFuture<>();
        load().whenComplete((s, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            // Install at once so a pin retry uses it; tell listeners on the store thread.
            install(s);
            runOnWorker(() -> announce(s));
            done.complete(s);
        });
        return done;
    }

    /** A pub/sub message {@code <TYPE> <serverMs> <backendId>}, on a Lettuce thread. */
    void onEventMessage(String message) {
        String[] parts = message.split(" ", 3);
        BackendEvent.Type type;
        long atMs;
        try {
            type = BackendEvent.Type.valueOf(parts[0]);
            atMs = Long.parseLong(parts[1]);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            log.atWarn().addKeyValue("message", message).log("ignoring malformed state event");
            return;
        }
        if (parts.length < 3 || type == BackendEvent.Type.RESYNC) {
            log.atWarn().addKeyValue("message", message).log("ignoring malformed state event");
            return;
        }
        String id = parts[2];
        runOnWorker(() -> {
            if (type == BackendEvent.Type.REMOVED) {
                current.updateAndGet(s -> s.without(id, atMs));
                announced.remove(id);
            } else {
                announced.put(id, type == BackendEvent.Type.DRAINING);
            }
            refreshSoon();
            fire(new BackendEvent(type, id));
        });
    }

    /** Coalesces the refreshes that a burst of events asks for into one. */
    private void refreshSoon() {
        if (refreshQueued.compareAndSet(false, true)) {
            worker.schedule(() -> {
                refreshQueued.set(false);
                refresh();
            }, 20, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A connection came back: read the view again shortly (once the renewed subscription is in place, so nothing
     * published after the read is missed) and once more a little later, for a subscription renewed on a second try.
     */
    void resyncAfterReconnect() {
        if (closed.get()) {
            return;
        }
        try {
            worker.schedule(this::resync, 250, TimeUnit.MILLISECONDS);
            worker.schedule(this::resync, 2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void resync() {
        refresh().whenComplete((s, e) -> runOnWorker(() -> {
            if (e != null && !resyncFailing) {
                resyncFailing = true;
                log.atWarn().log("state resync failed, keeping the last view: {}", RedisRecords.rootMessage(e));
            } else if (e == null && resyncFailing) {
                resyncFailing = false;
                log.atInfo().log("state resync recovered");
            }
        }));
    }

    /** Makes {@code s} the view unless a newer one (by server time) is already in place. */
    private void install(Snapshot s) {
        current.updateAndGet(cur -> s.serverMs() >= cur.serverMs() ? s : cur);
    }

    /** Reports the differences between what listeners were told and {@code s}; skipped if {@code s} is outdated. */
    private void announce(Snapshot s) {
        if (current.get().serverMs() > s.serverMs()) {
            return;
        }
        Map<String, Boolean> now = new HashMap<>();
        s.backends().values().forEach(b -> now.put(b.id(), b.draining()));
        for (String id : announced.keySet()) {
            if (!now.containsKey(id)) {
                fire(new BackendEvent(BackendEvent.Type.REMOVED, id));
            }
        }
        now.forEach((id, draining) -> {
            Boolean before = announced.get(id);
            if (before == null || before != draining.booleanValue()) {
                fire(new BackendEvent(draining ? BackendEvent.Type.DRAINING : BackendEvent.Type.UPSERTED, id));
            }
        });
        announced = now;
    }

    private CompletionStage<Snapshot> load() {
        return RedisScripts.SNAPSHOT.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backends()}, keys.prefix())
                .thenApply(r -> {
                    Map<String, Backend> backends = new LinkedHashMap<>();
                    ConcurrentHashMap<String, Long> counts = new ConcurrentHashMap<>();
                    for (int i = 1; i + 6 < r.size(); i += 7) {
                        Backend b;
                        try {
                            b = RedisRecords.backend(r, i);
                        } catch (RuntimeException e) {
                            // One bad record must not take placement down for every stream: leave it out.
                            log.atWarn().addKeyValue("backend", r.get(i))
                                    .log("skipping unreadable backend record: {}", RedisRecords.rootMessage(e));
                            continue;
                        }
                        backends.put(b.id(), b);
                        counts.put(b.id(), RedisRecords.asLong(r.get(i + 6)));
                    }
                    return new Snapshot(RedisRecords.asLong(r.get(0)), backends, counts);
                });
    }

    private void fire(BackendEvent event) {
        for (Consumer<BackendEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("event", event).log("backend change listener failed: {}", e.toString());
            }
        }
    }

    private void runOnWorker(Runnable task) {
        if (!closed.get()) {
            try {
                worker.execute(task);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            listeners.clear();
            worker.shutdownNow();
        }
    }
}

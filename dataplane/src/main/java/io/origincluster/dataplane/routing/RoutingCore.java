package io.origincluster.dataplane.routing;

import io.origincluster.dataplane.config.RoutingSettings;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendEvent;
import io.origincluster.state.Endpoint;
import io.origincluster.state.NoBackendAvailableException;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every protocol asks "where does this stream go". It turns a stream key into a route (pinning on
 * first use), retries on other origins when the pinned one refuses, and keeps pins alive while sessions run.
 * Protocol code never touches the state store's pins directly.
 *
 * <p>Known pins are served from a local cache for {@code pinCacheTtl}; a backend removal or drain event clears the
 * cache entries naming it, so a dead origin stops receiving sessions within one event, not one TTL.
 *
 * <p>The state store may be unreachable (Redis down). Then the core keeps routing on what it knows: a known pin is
 * served from the cache past its cache TTL (stale-while-unavailable, for as long as the pin TTL after its last use),
 * and a new stream is placed by the placement policy on the backends last read from the store (a local pin). When
 * the store answers again, the registrations this proxy accepted are written back first ({@link Registrations}),
 * then every pin it knows, each with its backend as the preferred choice: where another proxy chose differently
 * meanwhile, the first writer wins and this proxy's new sessions follow the winner; running sessions are not
 * touched. Backend removals the store reports while blind or within {@link #RECOVERY_GRACE_NANOS} after it is
 * back are not acted on (a restarted, empty Redis reports every backend removed until the origins register
 * again); the periodic audit catches real removals after that.
 */
public final class RoutingCore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingCore.class);

    /**
     * A known pin: served without the store until {@code freshUntilNanos}, kept as a fallback until
     * {@code keepUntilNanos} (the pin TTL after its last use). {@code unsynced}: decided or used while the store
     * was unreachable, to be written back when it returns.
     */
    private record Cached(Backend backend, long freshUntilNanos, long keepUntilNanos, boolean unsynced) { }

    /** How long after the store comes back removals it reports are not acted on. */
    static final long RECOVERY_GRACE_NANOS = 10_000_000_000L;
    /** How long a route waits for the store before it falls back to what it knows. */
    private static final long STORE_WAIT_MILLIS = 2000;
    private static final long KNOWN_REFRESH_NANOS = 2_000_000_000L;

    private final StateStore store;
    private final RoutingSettings settings;
    private final ConcurrentHashMap<String, Cached> pinCache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastTouch = new ConcurrentHashMap<>();
    /** Streams whose pin is being read again ahead of its cache TTL (see {@link #refreshAhead}). */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final AutoCloseable subscription;
    private final LiveSessions sessions;
    /** The live backends last read from the store (placement while it is unreachable); replaced on every read. */
    private final ConcurrentHashMap<String, Backend> known = new ConcurrentHashMap<>();
    private final Registrations registrations;
    private final java.util.concurrent.atomic.AtomicBoolean storeUp = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicBoolean resyncing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong outages = new java.util.concurrent.atomic.AtomicLong();
    private volatile long graceUntilNanos = System.nanoTime();
    private volatile String storeError = "";
    private long lastAudit = System.nanoTime();
    private long lastKnownRefresh = System.nanoTime() - KNOWN_REFRESH_NANOS;
    private volatile io.origincluster.dataplane.auth.Admission admission = io.origincluster.dataplane.auth.Admission.OPEN;

    public RoutingCore(StateStore store, RoutingSettings settings) {
        this(store, settings, java.time.Duration.ofSeconds(30));
    }

    /** @param drainTimeout how long sessions on a draining origin get to move make-before-break */
    public RoutingCore(StateStore store, RoutingSettings settings, java.time.Duration drainTimeout) {
        this.store = store;
        this.settings = settings;
        this.sessions = new LiveSessions(drainTimeout::toNanos);
        this.registrations = new Registrations(store);
        this.subscription = store.onBackendChange(this::onBackendEvent);
    }

    /** Registrations this proxy accepted, written back to the store after an outage. */
    public Registrations registrations() {
        return registrations;
    }

    /** False while the state store is unreachable (its last call failed for another reason than no backend). */
    public boolean storeAvailable() {
        return storeUp.get();
    }

    /** Why the store was last unreachable; empty if it never was. */
    public String storeError() {
        return storeError;
    }

    /** Times the store became unreachable since start. */
    public long storeOutages() {
        return outages.get();
    }

    /** Pins decided or used while the store was unreachable and not yet written back. */
    public int unsyncedPins() {
        int n = 0;
        for (Cached c : pinCache.values()) {
            if (c.unsynced()) {
                n++;
            }
        }
        return n;
    }

    public io.origincluster.dataplane.auth.Admission admission() {
        return admission;
    }

    /** Sets who may publish and play; set once before the listeners start (open until then). */
    public void admission(io.origincluster.dataplane.auth.Admission a) {
        this.admission = a;
    }

    /**
     * The access check every protocol makes once per new client session, before its first {@code connect}: the
     * one place a session can be refused for who it is rather than where it goes. Fails with
     * {@link io.origincluster.dataplane.auth.AccessDenied}.
     */
    public CompletionStage<io.origincluster.dataplane.auth.Admitted> admit(
            io.origincluster.dataplane.auth.AccessRequest request) {
        return admission.admit(request);
    }

    /**
     * {@link #admit(io.origincluster.dataplane.auth.AccessRequest)}, answered on the session's own event loop
     * (at once when already on it); what was admitted is released when that loop no longer takes tasks.
     */
    public void admit(io.origincluster.dataplane.auth.AccessRequest request, io.netty.util.concurrent.EventExecutor loop,
                      java.util.function.BiConsumer<io.origincluster.dataplane.auth.Admitted, Throwable> then) {
        admit(request).whenComplete((a, err) -> {
            if (loop.inEventLoop()) {
                then.accept(a, err);
                return;
            }
            try {
                loop.execute(() -> then.accept(a, err));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (a != null) {
                    a.release();
                }
            }
        });
    }

    /** The live sessions of this proxy, by origin: what a drain moves. */
    public LiveSessions sessions() {
        return sessions;
    }

    public StateStore store() {
        return store;
    }

    /** The route for a new session of {@code key} over {@code protocol}, pinning a backend if none is pinned. */
    public CompletionStage<Route> route(StreamKey key, Protocol protocol) {
        return route(key, protocol, Set.of());
    }

    CompletionStage<Route> route(StreamKey key, Protocol protocol, Set<String> exclude) {
        String k = key.toString();
        Cached c = pinCache.get(k);
        long now = System.nanoTime();
        boolean usable = c != null && !exclude.contains(c.backend().id());
        // an unsynced (local) pin holds until it is written back: its origin may not be registered again yet
        if (usable && (c.freshUntilNanos() - now > 0 || c.unsynced())) {
            if (!c.unsynced() && c.freshUntilNanos() - now < settings.pinCacheTtl().toNanos() / 2) {
                refreshAhead(k, c);
            }
            return toRoute(key, protocol, c.backend());
        }
        // a known pin is the preferred choice: if the store lost it (an emptied Redis), it is made again as it was
        CompletionStage<Backend> pinned = usable
                ? store.pin(k, exclude, settings.pinTtl(), c.backend().id())
                : store.pin(k, exclude, settings.pinTtl());
        return pinned.toCompletableFuture().orTimeout(STORE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .handle((backend, err) -> {
                    if (err != null) {
                        Throwable cause = unwrap(err);
                        if (cause instanceof NoBackendAvailableException) {
                            storeAnswered();
                            throw new NoRouteException("no origin available for " + k, true);
                        }
                        storeFailed(cause);
                        Backend fallback = fallback(k, exclude);
                        if (fallback == null) {
                            throw new NoRouteException("state store unreachable and no origin known for " + k
                                    + ": " + cause.getMessage(), true);
                        }
                        return fallback;
                    }
                    storeAnswered();
                    long t = System.nanoTime();
                    pinCache.put(k, new Cached(backend, t + settings.pinCacheTtl().toNanos(),
                            t + settings.pinTtl().toNanos(), false));
                    lastTouch.put(k, t);
                    known.put(backend.id(), backend);
                    return backend;
                })
                .thenCompose(b -> toRoute(key, protocol, b));
    }

    /**
     * A pin used in the second half of its cache life is read again from the store in the background, so a stream
     * with sessions coming at least that often never has one wait for the store (with the 1 s cache TTL and five new
     * sessions a second per stream, one session in five would otherwise carry the store round trip and the hops to
     * and from the store client's thread in its first byte). The entry is never served past its cache TTL: a pin
     * moved by another proxy is seen as soon as before.
     * One refresh per stream at a time; a failed one changes nothing (the next route past the TTL asks itself).
     */
    private void refreshAhead(String k, Cached c) {
        if (!storeUp.get() || !refreshing.add(k)) {
            return;
        }
        CompletionStage<Backend> pinned;
        try {
            pinned = store.pin(k, Set.of(), settings.pinTtl(), c.backend().id());
        } catch (RuntimeException e) {
            refreshing.remove(k);
            return;
        }
        pinned.toCompletableFuture().orTimeout(STORE_WAIT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((backend, err) -> {
            refreshing.remove(k);
            if (err != null) {
                return;
            }
            long t = System.nanoTime();
            // only the entry this refresh was for: an event or a failover may have replaced it meanwhile
            if (pinCache.replace(k, c, new Cached(backend, t + settings.pinCacheTtl().toNanos(),
                    t + settings.pinTtl().toNanos(), false))) {
                lastTouch.put(k, t); // as on a route that asked the store: the pin's TTL there starts again
                known.put(backend.id(), backend);
            }
        });
    }

    /**
     * The store is unreachable: the known pin of {@code k} if its backend is still known, else a local pin on a
     * known backend chosen by the placement policy. Null if nothing is known. Marks the pin for write-back.
     */
    private Backend fallback(String k, Set<String> exclude) {
        Map<String, Long> counts = new HashMap<>();
        for (Cached c : pinCache.values()) {
            counts.merge(c.backend().id(), 1L, Long::sum);
        }
        long now = System.nanoTime();
        Cached chosen = pinCache.compute(k, (key, cur) -> {
            if (cur != null && !exclude.contains(cur.backend().id()) && known.containsKey(cur.backend().id())) {
                return new Cached(cur.backend(), cur.freshUntilNanos(), now + settings.pinTtl().toNanos(), true);
            }
            List<Backend> candidates = new ArrayList<>();
            for (Backend b : known.values()) {
                if (!b.draining() && !exclude.contains(b.id())) {
                    candidates.add(b);
                }
            }
            Optional<Backend> pick = settings.policy().choose(candidates, id -> counts.getOrDefault(id, 0L),
                    ThreadLocalRandom.current());
            if (pick.isEmpty()) {
                return cur;
            }
            log.atWarn().addKeyValue("key", key).addKeyValue("backend", pick.get().id())
                    .log("state store unreachable: stream placed locally, written back when the store returns");
            return new Cached(pick.get(), now, now + settings.pinTtl().toNanos(), true);
        });
        return chosen == null || exclude.contains(chosen.backend().id()) || !chosen.unsynced()
                ? null : chosen.backend();
    }

    /** Another caller (the system API) saw the store fail to answer. */
    public void storeUnreachable(Throwable cause) {
        storeFailed(unwrap(cause));
    }

    /** Another caller saw the store answer: after an outage this starts the write-back. */
    public void storeReachable() {
        storeAnswered();
    }

    private void storeFailed(Throwable cause) {
        storeError = String.valueOf(cause.getMessage());
        if (storeUp.compareAndSet(true, false)) {
            outages.incrementAndGet();
            log.atWarn().log("state store unreachable: serving known pins and placing new streams on the {} "
                    + "known origins until it returns: {}", known.size(), cause.toString());
        }
    }

    private void storeAnswered() {
        if (!storeUp.get() && resyncing.compareAndSet(false, true)) {
            resyncAfterOutage();
        }
    }

    /**
     * The store answers again: write back the registrations this proxy accepted, then every known pin with its
     * backend preferred (the first writer wins; a pin another proxy wrote meanwhile replaces ours here, so new
     * sessions follow it). Only then is the store marked available, so routes keep using the local pins until it is.
     */
    private void resyncAfterOutage() {
        graceUntilNanos = System.nanoTime() + RECOVERY_GRACE_NANOS;
        registrations.flush().thenCompose(x -> writeBack(false)).whenComplete((v, err) -> {
            graceUntilNanos = System.nanoTime() + RECOVERY_GRACE_NANOS;
            if (err == null) {
                storeUp.set(true);
                log.atInfo().addKeyValue("pins", pinCache.size()).addKeyValue("unsynced", unsyncedPins())
                        .log("state store back: pins written back");
            }
            resyncing.set(false);
        });
    }

    /**
     * Writes known pins (only the unsynced ones if {@code unsyncedOnly}) back, each with its backend preferred. A
     * pin whose backend the store does not list (yet: an emptied Redis, before its origin registers again) stays
     * local and unsynced, for the next round, rather than letting the store place the stream elsewhere.
     */
    private CompletableFuture<Void> writeBack(boolean unsyncedOnly) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<String, Cached> e : pinCache.entrySet()) {
            if (unsyncedOnly && !e.getValue().unsynced()) {
                continue;
            }
            String k = e.getKey();
            Backend mine = e.getValue().backend();
            writes.add(store.backend(mine.id()).thenCompose(live -> live.isEmpty()
                            ? CompletableFuture.<Backend>completedFuture(null)
                            : store.pin(k, Set.of(), settings.pinTtl(), mine.id()))
                    .toCompletableFuture()
                    .handle((winner, err) -> {
                        if (err != null || winner == null) {
                            return null; // not yet: stays as it is for the next round
                        }
                        long t = System.nanoTime();
                        pinCache.computeIfPresent(k, (key, cur) -> new Cached(winner,
                                t + settings.pinCacheTtl().toNanos(), t + settings.pinTtl().toNanos(), false));
                        if (!winner.id().equals(mine.id())) {
                            log.atInfo().addKeyValue("key", k).addKeyValue("local", mine.id())
                                    .addKeyValue("winner", winner.id())
                                    .log("another proxy pinned the stream elsewhere during the outage: new "
                                            + "sessions follow it, running ones stay");
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * Routes and connects with failover: when {@code connector} fails for a route, that pin is removed (only
     * while it still names the failed backend), the backend is excluded, and the next origin is tried, up to
     * {@code connectRetries} more times. Fails with the last error when every attempt fails.
     */
    public <T> CompletionStage<T> connect(StreamKey key, Protocol protocol,
                                          Function<Route, CompletionStage<T>> connector) {
        return connect(key, protocol, Set.of(), connector);
    }

    /**
     * Like {@link #connect(StreamKey, Protocol, Function)}, never choosing an origin in {@code avoid}: a live
     * session moving off its origin (drained, dead). A pin naming an avoided origin is replaced atomically, so
     * every session of the stream, on any proxy, follows the first one that moved.
     */
    public <T> CompletionStage<T> connect(StreamKey key, Protocol protocol, Set<String> avoid,
                                          Function<Route, CompletionStage<T>> connector) {
        CompletableFuture<T> result = new CompletableFuture<>();
        for (String id : avoid) {
            invalidate(key.toString(), id);
        }
        attempt(key, protocol, connector, new HashSet<>(avoid), settings.connectRetries(), result);
        return result;
    }

    /**
     * A session's origin leg failed after it was relaying: the origin is unpinned for this stream (only while the
     * pin still names it) so the next route picks another.
     */
    public void originLost(StreamKey key, String backendId) {
        unpin(key, backendId);
    }

    /**
     * Forgets the pin of {@code key} if it still names {@code backendId} (compare-and-delete), here and in the
     * store; other proxies' caches follow within their pin cache TTL. Live sessions stay where they are.
     */
    public CompletionStage<Boolean> unpin(StreamKey key, String backendId) {
        invalidate(key.toString(), backendId);
        return store.unpin(key.toString(), backendId);
    }

    private <T> void attempt(StreamKey key, Protocol protocol, Function<Route, CompletionStage<T>> connector,
                             Set<String> exclude, int retriesLeft, CompletableFuture<T> result) {
        route(key, protocol, Set.copyOf(exclude)).whenComplete((route, err) -> {
            if (err != null) {
                result.completeExceptionally(unwrap(err));
                return;
            }
            CompletionStage<T> connected;
            try {
                connected = connector.apply(route);
            } catch (RuntimeException e) {
                connected = CompletableFuture.failedFuture(e);
            }
            connected.whenComplete((value, cerr) -> {
                if (cerr == null) {
                    result.complete(value);
                    return;
                }
                Throwable cause = unwrap(cerr);
                if (cause instanceof ProxyResourceException) {
                    result.completeExceptionally(cause); // the proxy is out of sockets: the origin is fine
                    return;
                }
                String backendId = route.backend().id();
                log.atWarn().addKeyValue("key", key).addKeyValue("backend", backendId)
                        .addKeyValue("address", route.address()).addKeyValue("retriesLeft", retriesLeft)
                        .log("origin connect failed: {}", cause.toString());
                invalidate(key.toString(), backendId);
                store.unpin(key.toString(), backendId);
                if (retriesLeft <= 0) {
                    result.completeExceptionally(cause);
                    return;
                }
                exclude.add(backendId);
                attempt(key, protocol, connector, exclude, retriesLeft - 1, result);
            });
        });
    }

    /**
     * Keeps the pin alive while a session of the stream runs. Cheap to call often: it reaches the store at most
     * once per third of the pin TTL per stream.
     */
    public void touch(StreamKey key, String backendId) {
        String k = key.toString();
        long now = System.nanoTime();
        long every = settings.pinTtl().toNanos() / 3;
        Long last = lastTouch.get(k);
        if (last != null && now - last < every) {
            return;
        }
        lastTouch.put(k, now);
        long keep = now + settings.pinTtl().toNanos();
        pinCache.computeIfPresent(k, (x, c) -> c.backend().id().equals(backendId)
                ? new Cached(c.backend(), c.freshUntilNanos(), keep, c.unsynced()) : c);
        store.touchPin(k, backendId, settings.pinTtl());
    }

    /**
     * Drops entries unused for a pin TTL, refreshes the known backends (which also notices the store coming back)
     * and audits the sessions; the owner calls this about every second so the maps track live streams only.
     */
    public void sweep() {
        long now = System.nanoTime();
        if (now - lastKnownRefresh > KNOWN_REFRESH_NANOS) {
            lastKnownRefresh = now;
            refreshKnown(now - lastAudit > AUDIT_EVERY_NANOS && sessions.size() > 0);
        }
        pinCache.values().removeIf(c -> c.keepUntilNanos() - now <= 0);
        long keep = settings.pinTtl().toNanos();
        lastTouch.values().removeIf(t -> now - t > keep);
        registrations.sweep();
    }

    /** Entries held locally, for tests that prove the maps shrink. */
    public int cachedEntries() {
        return pinCache.size() + lastTouch.size();
    }

    private void invalidate(String key, String backendId) {
        pinCache.computeIfPresent(key, (k, c) -> c.backend().id().equals(backendId) ? null : c);
    }

    private static final long AUDIT_EVERY_NANOS = 2_000_000_000L;

    /**
     * Reads the live backends: they become the known ones, and (when {@code audit}) sessions on an origin that is
     * gone or draining are moved, catching drains and removals whose event this proxy missed. Neither happens while
     * the store is blind, resyncing or in its recovery grace: an emptied Redis lists nothing until origins register.
     */
    private void refreshKnown(boolean audit) {
        store.liveBackends().toCompletableFuture().orTimeout(STORE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .whenComplete((live, err) -> {
                    if (err != null) {
                        storeFailed(unwrap(err));
                        return;
                    }
                    storeAnswered();
                    if (storeUp.get() && unsyncedPins() > 0 && resyncing.compareAndSet(false, true)) {
                        writeBack(true).whenComplete((v, e) -> resyncing.set(false));
                    }
                    if (!storeUp.get() || System.nanoTime() - graceUntilNanos < 0) {
                        live.forEach(b -> known.put(b.id(), b)); // add, never drop, until the state settles
                        return;
                    }
                    Map<String, Backend> byId = new HashMap<>();
                    live.forEach(b -> byId.put(b.id(), b));
                    known.putAll(byId);
                    known.keySet().retainAll(byId.keySet());
                    if (!audit) {
                        return;
                    }
                    lastAudit = System.nanoTime();
                    for (String id : sessions.countsByBackend().keySet()) {
                        Backend b = byId.get(id);
                        if (b == null || b.draining()) {
                            sessions.moveAllOff(id, b == null ? "origin removed" : "origin draining", true);
                        }
                    }
                });
    }

    /**
     * A backend by id, from the backends this proxy knows (refreshed every two seconds and on every backend event)
     * before asking the store: a tokened segment request names its origin, and must not cost a store round trip.
     */
    public CompletionStage<Optional<Backend>> backend(String id) {
        Backend b = known.get(id);
        if (b != null) {
            return CompletableFuture.completedFuture(Optional.of(b));
        }
        return store.backend(id).thenApply(found -> {
            found.filter(x -> x.isLive(java.time.Instant.now())).ifPresent(x -> known.putIfAbsent(x.id(), x));
            return found;
        });
    }

    /** A backend this proxy registered while the store was unreachable: it can take new streams at once. */
    public void knownBackend(Backend backend) {
        known.put(backend.id(), backend);
    }

    private void onBackendEvent(BackendEvent event) {
        if (event.type() == BackendEvent.Type.REMOVED
                && (!storeUp.get() || System.nanoTime() - graceUntilNanos < 0)) {
            // the store was blind or has just come back (maybe empty): not a reason to move sessions
            log.atInfo().addKeyValue("backend", event.backendId())
                    .log("ignoring a removal reported during or just after a state store outage");
            return;
        }
        sessions.onBackendEvent(event);
        switch (event.type()) {
            case REMOVED -> {
                known.remove(event.backendId());
                pinCache.values().removeIf(c -> c.backend().id().equals(event.backendId()));
            }
            case DRAINING -> {
                known.computeIfPresent(event.backendId(), (id, b) -> b.withDraining(true));
                pinCache.values().removeIf(c -> c.backend().id().equals(event.backendId()));
            }
            case RESYNC -> pinCache.clear();
            default -> { }
        }
    }

    private static CompletionStage<Route> toRoute(StreamKey key, Protocol protocol, Backend backend) {
        Optional<Endpoint> ep = backend.endpoint(protocol);
        if (ep.isEmpty()) {
            return CompletableFuture.failedFuture(new NoRouteException(
                    "origin " + backend.id() + " pinned for " + key + " has no " + protocol.jsonName() + " endpoint",
                    false));
        }
        InetSocketAddress unresolved = ep.get().resolve(backend.ip());
        String host = unresolved.getHostString();
        if (isIpLiteral(host)) {
            InetSocketAddress address = new InetSocketAddress(host, unresolved.getPort());
            return CompletableFuture.completedFuture(new Route(key, backend, ep.get(), address));
        }
        // an origin registered by host name: the lookup blocks, so it must not run on the caller's event loop
        return CompletableFuture.supplyAsync(() -> {
            InetSocketAddress address = new InetSocketAddress(host, unresolved.getPort());
            if (address.isUnresolved()) {
                throw new NoRouteException("cannot resolve origin host '" + host + "' of " + backend.id(), false);
            }
            return new Route(key, backend, ep.get(), address);
        }, RESOLVER);
    }

    private static final java.util.concurrent.Executor RESOLVER = java.util.concurrent.Executors.newFixedThreadPool(2,
            r -> {
                Thread t = new Thread(r, "origin-dns");
                t.setDaemon(true);
                return t;
            });

    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6 literals are the only hosts with colons here
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            log.debug("unsubscribe failed", e);
        }
    }
}

package io.origincluster.dataplane.routing;

import io.origincluster.dataplane.config.RoutingSettings;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendEvent;
import io.origincluster.state.Endpoint;
import io.origincluster.state.NoBackendAvailableException;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
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
 */
public final class RoutingCore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingCore.class);

    private record Cached(Backend backend, long expiresAtNanos) { }

    private final StateStore store;
    private final RoutingSettings settings;
    private final ConcurrentHashMap<String, Cached> pinCache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastTouch = new ConcurrentHashMap<>();
    private final AutoCloseable subscription;
    private final LiveSessions sessions;
    private long lastAudit = System.nanoTime();

    public RoutingCore(StateStore store, RoutingSettings settings) {
        this(store, settings, java.time.Duration.ofSeconds(30));
    }

    /** @param drainTimeout how long sessions on a draining origin get to move make-before-break */
    public RoutingCore(StateStore store, RoutingSettings settings, java.time.Duration drainTimeout) {
        this.store = store;
        this.settings = settings;
        this.sessions = new LiveSessions(drainTimeout::toNanos);
        this.subscription = store.onBackendChange(this::onBackendEvent);
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
        if (c != null && c.expiresAtNanos() - System.nanoTime() > 0 && !exclude.contains(c.backend().id())) {
            return toRoute(key, protocol, c.backend());
        }
        return store.pin(k, exclude, settings.pinTtl())
                .handle((backend, err) -> {
                    if (err != null) {
                        Throwable cause = unwrap(err);
                        if (cause instanceof NoBackendAvailableException) {
                            throw new NoRouteException("no origin available for " + k, true);
                        }
                        throw new CompletionException(cause);
                    }
                    pinCache.put(k, new Cached(backend, System.nanoTime() + settings.pinCacheTtl().toNanos()));
                    lastTouch.put(k, System.nanoTime());
                    return backend;
                })
                .thenCompose(b -> toRoute(key, protocol, b));
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
        invalidate(key.toString(), backendId);
        store.unpin(key.toString(), backendId);
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
        store.touchPin(k, backendId, settings.pinTtl());
    }

    /** Drops expired cache entries; the owner calls this periodically so the maps track live streams only. */
    public void sweep() {
        long now = System.nanoTime();
        if (now - lastAudit > AUDIT_EVERY_NANOS && sessions.size() > 0) {
            lastAudit = now;
            auditSessions();
        }
        pinCache.values().removeIf(c -> c.expiresAtNanos() - now <= 0);
        long keep = settings.pinTtl().toNanos();
        lastTouch.values().removeIf(t -> now - t > keep);
    }

    /** Entries held locally, for tests that prove the maps shrink. */
    public int cachedEntries() {
        return pinCache.size() + lastTouch.size();
    }

    private void invalidate(String key, String backendId) {
        pinCache.computeIfPresent(key, (k, c) -> c.backend().id().equals(backendId) ? null : c);
    }

    private static final long AUDIT_EVERY_NANOS = 2_000_000_000L;

    /** Catches drains and removals whose event this proxy missed (a dropped pub/sub message, a resync). */
    private void auditSessions() {
        store.liveBackends().whenComplete((live, err) -> {
            if (err != null) {
                return;
            }
            java.util.Map<String, Backend> byId = new java.util.HashMap<>();
            live.forEach(b -> byId.put(b.id(), b));
            for (String id : sessions.countsByBackend().keySet()) {
                Backend b = byId.get(id);
                if (b == null || b.draining()) {
                    sessions.moveAllOff(id, b == null ? "origin removed" : "origin draining", true);
                }
            }
        });
    }

    private void onBackendEvent(BackendEvent event) {
        sessions.onBackendEvent(event);
        switch (event.type()) {
            case REMOVED, DRAINING -> pinCache.values().removeIf(c -> c.backend().id().equals(event.backendId()));
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

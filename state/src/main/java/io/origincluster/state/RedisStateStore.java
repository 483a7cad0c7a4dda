package io.origincluster.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster state in Redis, shared by every proxy and the operator. Each multi-key write is one Lua script
 * ({@link RedisScripts}), so it is atomic across proxies; the key schema is {@link RedisKeys}.
 *
 * <p>Placement stays in Java: a local view of the live backends and their pin counts (refreshed on every change
 * event and every resync interval) feeds the {@link PlacementPolicy}, and the chosen candidate goes to the pin
 * script, which pins it only if the stream has no live pin and the candidate is still live, open and under its
 * cap. A refused candidate makes this store refresh its view and retry, a bounded number of times.
 *
 * <p>Nothing here blocks a caller: every operation returns the Lettuce future; listeners and resyncs run on one
 * store thread. Only {@link #connect} (start-up) and {@link #close} wait.
 */
public final class RedisStateStore implements StateStore {

    private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Pick attempts per pin() call: the first with the cached view, the rest after a refresh each. */
    private static final int PIN_ATTEMPTS = 4;

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The local view used for placement: live backends and their pin counts at {@code serverMs}. */
    private record View(long serverMs, Map<String, Backend> backends, ConcurrentHashMap<String, Long> pinCounts) {
        long pinned(String id) {
            Long n = pinCounts.get(id);
            return n == null ? 0 : n;
        }

        View without(String id) {
            Map<String, Backend> rest = new LinkedHashMap<>(backends);
            rest.remove(id);
            return new View(serverMs, rest, pinCounts);
        }
    }

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisKeys keys;
    private final PlacementPolicy policy;
    private final ScheduledExecutorService worker;
    private final List<Consumer<BackendEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile View view = new View(0, Map.of(), new ConcurrentHashMap<>());
    /** Backend id to draining flag as last reported to listeners; touched on the worker thread only. */
    private Map<String, Boolean> announced = new HashMap<>();
    private boolean resyncFailing;

    private RedisStateStore(ClientResources resources, RedisClient client,
                            StatefulRedisConnection<String, String> connection,
                            StatefulRedisPubSubConnection<String, String> pubSub, RedisKeys keys,
                            PlacementPolicy policy, String clusterId) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.pubSub = pubSub;
        this.keys = keys;
        this.policy = policy;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-state-" + clusterId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects, checks the server with PING, subscribes to change events and loads the backend view. Fails at once
     * with a message naming the (password-free) address when Redis is unreachable or refuses the credentials.
     *
     * @param redisUri  {@code redis://}, {@code rediss://} or {@code redis-sentinel://} (Lettuce syntax)
     * @param clusterId namespace of every key, so several clusters can share one Redis
     */
    public static StateStore connect(String redisUri, String clusterId, PlacementPolicy policy) {
        return connect(redisUri, clusterId, policy, DEFAULT_RESYNC_INTERVAL);
    }

    /** As {@link #connect(String, String, PlacementPolicy)} with a chosen resync interval (the safety net). */
    public static RedisStateStore connect(String redisUri, String clusterId, PlacementPolicy policy,
                                          Duration resyncInterval) {
        RedisKeys keys = new RedisKeys(clusterId);
        String where = redact(redisUri);
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid Redis URI '" + where + "': " + e.getMessage(), e);
        }
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> connection = null;
        StatefulRedisPubSubConnection<String, String> pubSub = null;
        try {
            connection = client.connect();
            connection.sync().ping();
            pubSub = client.connectPubSub();
        } catch (RuntimeException e) {
            closeQuietly(pubSub);
            closeQuietly(connection);
            shutdown(client, resources);
            throw new IllegalStateException("cannot reach Redis at " + where + " for cluster '" + clusterId + "': "
                    + rootMessage(e), e);
        }
        RedisStateStore store = new RedisStateStore(resources, client, connection, pubSub, keys, policy, clusterId);
        try {
            store.start(resyncInterval);
        } catch (RuntimeException e) {
            store.close();
            throw new IllegalStateException("cannot start the Redis state store at " + where + ": "
                    + rootMessage(e), e);
        }
        log.atInfo().addKeyValue("redis", where).addKeyValue("cluster", clusterId)
                .addKeyValue("backends", store.view.backends().size()).log("redis state store connected");
        return store;
    }

    private void start(Duration resyncInterval) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onEventMessage(message);
            }
        });
        pubSub.sync().subscribe(keys.events());
        try {
            View first = loadView().toCompletableFuture().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            view = first;
            Map<String, Boolean> initial = new HashMap<>();
            first.backends().values().forEach(b -> initial.put(b.id(), b.draining()));
            worker.execute(() -> announced = initial);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading backends", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("loading backends failed: " + rootMessage(e), e);
        }
        long every = Math.max(100, resyncInterval.toMillis());
        worker.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
    }

    // ---- backends -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Backend> register(Backend backend, Duration ttl) {
        String json = toJson(backend.withTimes(null, null));
        return RedisScripts.REGISTER.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backend(backend.id()), keys.backends(), keys.events()},
                        backend.id(), json, backend.draining() ? "1" : "0", Integer.toString(backend.maxStreams()),
                        Long.toString(Math.max(1, ttl.toMillis())))
                .thenApply(r -> backend.withTimes(Instant.ofEpochMilli(asLong(r.get(0))),
                        Instant.ofEpochMilli(asLong(r.get(1)))));
    }

    @Override
    public CompletionStage<Boolean> deregister(String backendId) {
        return RedisScripts.DEREGISTER.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.backend(backendId), keys.backends(), keys.pinsOf(backendId), keys.events()},
                        backendId, keys.prefix())
                .thenApply(n -> {
                    if (n == 1L) {
                        view = view.without(backendId);
                    }
                    return n == 1L;
                });
    }

    @Override
    public CompletionStage<Boolean> setDraining(String backendId, boolean draining) {
        return RedisScripts.SET_DRAINING.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.backend(backendId), keys.backends(), keys.events()},
                        backendId, draining ? "1" : "0")
                .thenApply(n -> n == 1L);
    }

    @Override
    public CompletionStage<List<Backend>> liveBackends() {
        return loadView().thenApply(v -> {
            worker.execute(() -> apply(v));
            return List.copyOf(v.backends().values());
        });
    }

    @Override
    public CompletionStage<Optional<Backend>> backend(String backendId) {
        return RedisScripts.BACKEND.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backends()}, keys.prefix(), backendId)
                .thenApply(r -> r.isEmpty() ? Optional.empty() : Optional.of(toBackend(r, 0)));
    }

    // ---- pins -----------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl) {
        return pinAttempt(streamKey, Set.copyOf(exclude), Math.max(1, pinTtl.toMillis()), 1);
    }

    private CompletionStage<Backend> pinAttempt(String streamKey, Set<String> exclude, long ttlMs, int attempt) {
        View v = view;
        List<Backend> candidates = new ArrayList<>();
        for (Backend b : v.backends().values()) {
            if (!b.draining() && !exclude.contains(b.id())) {
                candidates.add(b);
            }
        }
        String candidate = policy.choose(candidates, v::pinned, ThreadLocalRandom.current())
                .map(Backend::id).orElse("");
        String[] args = new String[4 + exclude.size()];
        args[0] = keys.prefix();
        args[1] = streamKey;
        args[2] = candidate;
        args[3] = Long.toString(ttlMs);
        int i = 4;
        for (String id : exclude) {
            args[i++] = id;
        }
        return RedisScripts.PIN.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.pin(streamKey), keys.backends()}, args)
                .thenCompose(r -> {
                    String status = (String) r.get(0);
                    switch (status) {
                        case "PINNED":
                            return CompletableFuture.completedFuture(toBackend(r, 1));
                        case "NEW": {
                            Backend b = toBackend(r, 1);
                            v.pinCounts().merge(b.id(), 1L, Long::sum);
                            String replaced = (String) r.get(7);
                            if (!replaced.isEmpty()) {
                                v.pinCounts().computeIfPresent(replaced, (k, n) -> n > 1 ? n - 1 : null);
                            }
                            return CompletableFuture.completedFuture(b);
                        }
                        default:
                            // NONE after a refresh means there really is nothing; STALE/FULL: our view lags Redis.
                            if (attempt >= PIN_ATTEMPTS || (status.equals("NONE") && attempt > 1)) {
                                return CompletableFuture.failedFuture(new NoBackendAvailableException(streamKey));
                            }
                            return refresh().thenCompose(x -> pinAttempt(streamKey, exclude, ttlMs, attempt + 1));
                    }
                });
    }

    @Override
    public CompletionStage<Optional<Backend>> pinned(String streamKey) {
        return RedisScripts.PINNED.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.pin(streamKey), keys.backends()}, keys.prefix())
                .thenApply(r -> r.isEmpty() ? Optional.empty() : Optional.of(toBackend(r, 0)));
    }

    @Override
    public CompletionStage<Boolean> touchPin(String streamKey, String backendId, Duration pinTtl) {
        return RedisScripts.TOUCH_PIN.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.pin(streamKey), keys.pinsOf(backendId)},
                        streamKey, backendId, Long.toString(Math.max(1, pinTtl.toMillis())))
                .thenApply(n -> n == 1L);
    }

    @Override
    public CompletionStage<Boolean> unpin(String streamKey, String backendId) {
        return RedisScripts.UNPIN.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.pin(streamKey), keys.pinsOf(backendId)}, streamKey, backendId)
                .thenApply(n -> {
                    if (n == 1L) {
                        view.pinCounts().computeIfPresent(backendId, (k, c) -> c > 1 ? c - 1 : null);
                    }
                    return n == 1L;
                });
    }

    @Override
    public CompletionStage<Map<String, String>> pins() {
        return RedisScripts.PINS.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backends()}, keys.prefix())
                .thenApply(r -> {
                    Map<String, String> out = new HashMap<>();
                    for (int i = 0; i + 1 < r.size(); i += 2) {
                        out.put((String) r.get(i), (String) r.get(i + 1));
                    }
                    return out;
                });
    }

    // ---- sessions -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> putSession(SessionRecord session, Duration ttl) {
        return redis.set(keys.session(session.kind(), session.id()), toJson(session),
                        SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> session(SessionKind kind, String id) {
        return redis.get(keys.session(kind, id))
                .thenApply(json -> json == null ? Optional.empty() : Optional.of(fromJson(json, SessionRecord.class)));
    }

    @Override
    public CompletionStage<Boolean> touchSession(SessionKind kind, String id, Duration ttl) {
        return redis.pexpire(keys.session(kind, id), Math.max(1, ttl.toMillis()));
    }

    @Override
    public CompletionStage<Boolean> removeSession(SessionKind kind, String id) {
        return redis.del(keys.session(kind, id)).thenApply(n -> n > 0);
    }

    // ---- change notification and the local view ---------------------------------------------------------------------

    @Override
    public AutoCloseable onBackendChange(Consumer<BackendEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Pub/sub message {@code <TYPE> <backendId>}, on a Lettuce thread: hand over to the store thread. */
    private void onEventMessage(String message) {
        int space = message.indexOf(' ');
        BackendEvent.Type type;
        try {
            type = BackendEvent.Type.valueOf(space < 0 ? message : message.substring(0, space));
        } catch (IllegalArgumentException e) {
            log.atWarn().addKeyValue("message", message).log("ignoring unknown state event");
            return;
        }
        if (space < 0 || type == BackendEvent.Type.RESYNC) {
            return;
        }
        String id = message.substring(space + 1);
        runOnWorker(() -> {
            switch (type) {
                case REMOVED -> {
                    view = view.without(id);
                    announced.remove(id);
                    refreshSoon(); // a view loaded before the removal may still be in flight
                }
                case UPSERTED, DRAINING -> {
                    announced.put(id, type == BackendEvent.Type.DRAINING);
                    refreshSoon();
                }
                default -> { }
            }
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

    /** The periodic safety net: reloads the view and reports what the events missed (expiries, lost messages). */
    private void resync() {
        refresh().whenComplete((v, e) -> runOnWorker(() -> {
            if (e != null && !resyncFailing) {
                resyncFailing = true;
                log.atWarn().log("state resync failed, keeping the last view: {}", rootMessage(e));
            } else if (e == null && resyncFailing) {
                resyncFailing = false;
                log.atInfo().log("state resync recovered");
            }
        }));
    }

    private CompletionStage<View> refresh() {
        CompletableFuture<View> done = new CompletableFuture<>();
        loadView().whenComplete((v, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            // Apply on the store thread, but let the caller (a pin retry) use the fresh view right away.
            view = newer(v);
            runOnWorker(() -> apply(v));
            done.complete(v);
        });
        return done;
    }

    private View newer(View v) {
        View cur = view;
        return v.serverMs() >= cur.serverMs() ? v : cur;
    }

    /** Installs a loaded view and tells listeners about differences nobody announced (store thread only). */
    private void apply(View v) {
        view = newer(v);
        if (view != v) {
            return;
        }
        Map<String, Boolean> now = new HashMap<>();
        v.backends().values().forEach(b -> now.put(b.id(), b.draining()));
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

    private CompletionStage<View> loadView() {
        return RedisScripts.SNAPSHOT.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backends()}, keys.prefix())
                .thenApply(r -> {
                    long serverMs = asLong(r.get(0));
                    Map<String, Backend> backends = new LinkedHashMap<>();
                    ConcurrentHashMap<String, Long> counts = new ConcurrentHashMap<>();
                    for (int i = 1; i + 6 < r.size(); i += 7) {
                        Backend b = toBackend(r, i);
                        backends.put(b.id(), b);
                        counts.put(b.id(), asLong(r.get(i + 6)));
                    }
                    return new View(serverMs, backends, counts);
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
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    // ---- encoding -----------------------------------------------------------------------------------------------

    /** Backend from script fields starting at {@code i}: id, json, draining, max, seen ms, expires ms. */
    private static Backend toBackend(List<Object> r, int i) {
        Backend b = fromJson((String) r.get(i + 1), Backend.class);
        return new Backend(b.id(), b.ip(), b.endpoints(), b.source(), b.labels(), "1".equals(r.get(i + 2)),
                b.weight(), (int) asLong(r.get(i + 3)), Instant.ofEpochMilli(asLong(r.get(i + 4))),
                Instant.ofEpochMilli(asLong(r.get(i + 5))));
    }

    /** Lua hands numbers back as integers, or as strings when they went through a hash field. */
    private static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        String s = String.valueOf(o);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(s);
        }
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static <T> T fromJson(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt " + type.getSimpleName() + " record in Redis: "
                    + e.getOriginalMessage(), e);
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    /** Unsubscribes, closes both connections and releases the client's threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        listeners.clear();
        worker.shutdownNow();
        closeQuietly(pubSub);
        closeQuietly(connection);
        shutdown(client, resources);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("close failed", e);
            }
        }
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("client shutdown failed", e);
        }
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("resources shutdown failed", e);
        }
    }

    /** The URI without its password, for messages and logs. */
    static String redact(String uri) {
        if (uri == null) {
            return "null";
        }
        return uri.replaceAll("(://)[^@/]*@", "$1***@");
    }

    /** The outer message plus the root cause's, e.g. "Unable to connect to 127.0.0.1:1: Connection refused". */
    private static String rootMessage(Throwable e) {
        Throwable outer = e;
        while ((outer instanceof CompletionException || outer instanceof ExecutionException)
                && outer.getCause() != null) {
            outer = outer.getCause();
        }
        Throwable root = outer;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = outer.getMessage() == null ? outer.getClass().getSimpleName() : outer.getMessage();
        if (root != outer && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + ": " + root.getMessage();
        }
        return m;
    }
}

package io.origincluster.state;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
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
 * <p>Nothing here blocks a caller: every operation returns the Lettuce future, which completes on a Lettuce I/O
 * thread (so continuations must not block either); listeners and resyncs run on one store thread. Only
 * {@link #connect} (start-up) and {@link #close} wait.
 */
public final class RedisStateStore implements StateStore {

    private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Pick attempts per pin() call: the first with the cached view, the rest after a refresh each. */
    private static final int PIN_ATTEMPTS = 4;

    /** How often a cluster client re-reads the topology besides the MOVED/ASK/reconnect triggers. */
    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);
    private static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    /** Standalone and Sentinel give RedisAsyncCommands, Cluster RedisAdvancedClusterAsyncCommands: both are this. */
    private final RedisClusterAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisKeys keys;
    private final PlacementPolicy policy;
    private final RedisBackendView view;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Cluster only: stops re-opening master connections on topology changes. */
    private volatile AutoCloseable onClose;

    private RedisStateStore(ClientResources resources, AbstractRedisClient client,
                            StatefulConnection<String, String> connection,
                            RedisClusterAsyncCommands<String, String> redis,
                            StatefulRedisPubSubConnection<String, String> pubSub, RedisKeys keys,
                            PlacementPolicy policy, String clusterId) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = redis;
        this.pubSub = pubSub;
        this.keys = keys;
        this.policy = policy;
        this.view = new RedisBackendView(redis, keys, clusterId);
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
        RedisURI uri = parse(redisUri, where);
        ClientResources resources = newResources();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(socketOptions())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                // while Redis is away a command fails at once instead of waiting in a queue for the timeout, so
                // callers (the routing core) fall back to what they know without holding a session up
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        StatefulRedisConnection<String, String> connection = null;
        StatefulRedisPubSubConnection<String, String> pubSub = null;
        try {
            connection = client.connect();
            connection.sync().ping();
            pubSub = client.connectPubSub();
        } catch (RuntimeException e) {
            throw unreachable(e, where, clusterId, client, resources, pubSub, connection);
        }
        return started(new RedisStateStore(resources, client, connection, connection.async(), pubSub, keys, policy,
                clusterId), resyncInterval, where, clusterId);
    }

    /**
     * Connects to a Redis Cluster through any of its nodes (the client learns the rest of the topology from them).
     * Every key of one cluster id carries the same hash tag ({@link RedisKeys}), so each script runs on the one
     * master that owns that slot; change events use ordinary pub/sub, which a Redis Cluster delivers to subscribers
     * on every node. The topology is re-read on MOVED/ASK redirects, on repeated reconnects and every 5 s, so a
     * replica promoted after its master failed is found without a restart.
     *
     * @param nodes {@code redis://[:password@]host:port} or {@code rediss://...} (TLS) per seed node; Redis Cluster
     *              has database 0 only
     */
    public static StateStore connectCluster(List<String> nodes, String clusterId, PlacementPolicy policy) {
        return connectCluster(nodes, clusterId, policy, DEFAULT_RESYNC_INTERVAL);
    }

    /** As {@link #connectCluster(List, String, PlacementPolicy)} with a chosen resync interval. */
    public static RedisStateStore connectCluster(List<String> nodes, String clusterId, PlacementPolicy policy,
                                                 Duration resyncInterval) {
        RedisKeys keys = new RedisKeys(clusterId);
        if (nodes == null || nodes.isEmpty()) {
            throw new IllegalArgumentException("a Redis Cluster needs at least one node address");
        }
        String where = "cluster " + String.join(",", nodes.stream().map(RedisStateStore::redact).toList());
        List<RedisURI> uris = nodes.stream().map(n -> parse(n, redact(n))).toList();
        ClientResources resources = newResources();
        RedisClusterClient client = RedisClusterClient.create(resources, uris);
        client.setOptions(ClusterClientOptions.builder()
                .socketOptions(socketOptions())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                        .enableAllAdaptiveRefreshTriggers()
                        // Lettuce's default lets one triggered refresh through per 30 s: one fired by the first
                        // reconnect attempts (before the replica is promoted) would hide the promotion that long
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .build())
                .build());
        StatefulRedisClusterConnection<String, String> connection = null;
        StatefulRedisPubSubConnection<String, String> pubSub = null;
        AutoCloseable warm = null;
        try {
            connection = client.connect();
            connection.sync().ping();
            RedisClusterWarmup.connectMasters(connection).get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            warm = RedisClusterWarmup.keepWarm(resources, connection);
            pubSub = client.connectPubSub();
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            closeQuietly(warm);
            throw unreachable(e, where, clusterId, client, resources, pubSub, connection);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(warm);
            throw unreachable(e, where, clusterId, client, resources, pubSub, connection);
        }
        RedisStateStore store = new RedisStateStore(resources, client, connection, connection.async(), pubSub, keys,
                policy, clusterId);
        store.onClose = warm;
        return started(store, resyncInterval, where, clusterId);
    }

    private static RedisURI parse(String redisUri, String where) {
        try {
            return RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid Redis URI '" + where + "': " + e.getMessage(), e);
        }
    }

    private static ClientResources newResources() {
        // Lettuce's default reconnect backoff grows to 30 s: after an outage of 20 s the next attempt could come
        // 12 s after Redis is back. Capped at 1 s (with jitter, so many proxies do not reconnect in step), the
        // store is back within a second of Redis, which is what the fail-soft write-back relies on.
        return DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(100), RECONNECT_DELAY_MAX, 100,
                        TimeUnit.MILLISECONDS))
                .build();
    }

    private static SocketOptions socketOptions() {
        return SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build();
    }

    private static IllegalStateException unreachable(Exception e, String where, String clusterId,
                                                     AbstractRedisClient client, ClientResources resources,
                                                     AutoCloseable pubSub, AutoCloseable connection) {
        closeQuietly(pubSub);
        closeQuietly(connection);
        shutdown(client, resources);
        return new IllegalStateException("cannot reach Redis at " + where + " for cluster '" + clusterId + "': "
                + RedisRecords.rootMessage(e), e);
    }

    private static RedisStateStore started(RedisStateStore store, Duration resyncInterval, String where,
                                           String clusterId) {
        try {
            store.start(resyncInterval);
        } catch (RuntimeException e) {
            store.close();
            throw new IllegalStateException("cannot start the Redis state store at " + where + ": "
                    + RedisRecords.rootMessage(e), e);
        }
        log.atInfo().addKeyValue("redis", where).addKeyValue("cluster", clusterId)
                .addKeyValue("backends", store.view.current().backends().size()).log("redis state store connected");
        return store;
    }

    private void start(Duration resyncInterval) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                view.onEventMessage(message);
            }
        });
        pubSub.sync().subscribe(keys.events());
        view.start(resyncInterval, COMMAND_TIMEOUT);
        // pub/sub is not durable: an event published while a connection was away is lost, and the periodic resync
        // may be minutes off. A reconnect (the subscription is renewed with it) starts a resync at once instead.
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> handler,
                                         java.net.SocketAddress address) {
                view.resyncAfterReconnect();
            }
        });
    }

    // ---- backends -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Backend> register(Backend backend, Duration ttl) {
        String json = RedisRecords.backendJson(backend);
        return RedisScripts.REGISTER.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backend(backend.id()), keys.backends(), keys.events()},
                        backend.id(), json, backend.draining() ? "1" : "0", Integer.toString(backend.maxStreams()),
                        Long.toString(Math.max(1, ttl.toMillis())))
                .thenApply(r -> backend.withDraining("1".equals(String.valueOf(r.get(2))))
                        .withTimes(Instant.ofEpochMilli(RedisRecords.asLong(r.get(0))),
                                Instant.ofEpochMilli(RedisRecords.asLong(r.get(1)))));
    }

    @Override
    public CompletionStage<Boolean> deregister(String backendId) {
        return RedisScripts.DEREGISTER.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.backend(backendId), keys.backends(), keys.pinsOf(backendId), keys.events()},
                        backendId, keys.prefix())
                .thenApply(n -> {
                    if (n == 1L) {
                        view.removed(backendId);
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
        return view.refresh().thenApply(s -> List.copyOf(s.backends().values()));
    }

    @Override
    public CompletionStage<Optional<Backend>> backend(String backendId) {
        return RedisScripts.BACKEND.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.backends()}, keys.prefix(), backendId)
                .thenApply(r -> r.isEmpty() ? Optional.empty() : Optional.of(RedisRecords.backend(r, 0)));
    }

    // ---- pins -----------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl) {
        return pin(streamKey, exclude, pinTtl, null);
    }

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl, String preferred) {
        try {
            return pinAttempt(streamKey, Set.copyOf(exclude), Math.max(1, pinTtl.toMillis()), 1,
                    preferred == null || exclude.contains(preferred) ? null : preferred);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // e.g. a policy bug: the caller still gets a stage
        }
    }

    /** {@code preferred}: the candidate of the first attempt (the script checks it); later attempts use the policy. */
    private CompletionStage<Backend> pinAttempt(String streamKey, Set<String> exclude, long ttlMs, int attempt,
                                                String preferred) {
        RedisBackendView.Snapshot v = view.current();
        List<Backend> candidates = new ArrayList<>();
        for (Backend b : v.backends().values()) {
            if (!b.draining() && !exclude.contains(b.id())) {
                candidates.add(b);
            }
        }
        String candidate = preferred != null ? preferred
                : policy.choose(candidates, v::pinned, ThreadLocalRandom.current()).map(Backend::id).orElse("");
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
                            return CompletableFuture.completedFuture(RedisRecords.backend(r, 1));
                        case "NEW": {
                            Backend b = RedisRecords.backend(r, 1);
                            v.counted(b.id(), 1);
                            String replaced = (String) r.get(7);
                            if (!replaced.isEmpty()) {
                                v.counted(replaced, -1);
                            }
                            return CompletableFuture.completedFuture(b);
                        }
                        default:
                            // NONE after a refresh means there really is nothing; STALE/FULL: our view lags Redis.
                            if (attempt >= PIN_ATTEMPTS
                                    || (status.equals("NONE") && attempt > 1 && preferred == null)) {
                                return CompletableFuture.failedFuture(new NoBackendAvailableException(streamKey));
                            }
                            return view.refresh().thenCompose(x -> pinAttempt(streamKey, exclude, ttlMs, attempt + 1,
                                    null));
                    }
                });
    }

    @Override
    public CompletionStage<Optional<Backend>> pinned(String streamKey) {
        return RedisScripts.PINNED.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.pin(streamKey), keys.backends()}, keys.prefix())
                .thenApply(r -> r.isEmpty() ? Optional.empty() : Optional.of(RedisRecords.backend(r, 0)));
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
                        view.current().counted(backendId, -1);
                    }
                    return n == 1L;
                });
    }

    @Override
    public CompletionStage<Boolean> acquirePublisher(String streamKey, String holder, Duration ttl,
                                                     boolean takeOver) {
        return RedisScripts.ACQUIRE_PUBLISHER.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.publisher(streamKey)}, holder, Long.toString(Math.max(1, ttl.toMillis())),
                        takeOver ? "1" : "0")
                .thenApply(n -> n == 1L);
    }

    @Override
    public CompletionStage<Boolean> renewPublisher(String streamKey, String holder, Duration ttl) {
        return RedisScripts.RENEW_PUBLISHER.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.publisher(streamKey)}, holder, Long.toString(Math.max(1, ttl.toMillis())))
                .thenApply(n -> n == 1L);
    }

    @Override
    public CompletionStage<Boolean> releasePublisher(String streamKey, String holder) {
        return RedisScripts.RELEASE_PUBLISHER.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.publisher(streamKey)}, holder)
                .thenApply(n -> n == 1L);
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
        return redis.set(keys.session(session.kind(), session.id()), RedisRecords.sessionJson(session),
                        SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> session(SessionKind kind, String id) {
        return redis.get(keys.session(kind, id))
                .thenApply(json -> json == null ? Optional.empty() : Optional.of(RedisRecords.session(json)));
    }

    @Override
    public CompletionStage<Boolean> touchSession(SessionKind kind, String id, Duration ttl) {
        return redis.pexpire(keys.session(kind, id), Math.max(1, ttl.toMillis()));
    }

    @Override
    public CompletionStage<Boolean> removeSession(SessionKind kind, String id) {
        return redis.del(keys.session(kind, id)).thenApply(n -> n > 0);
    }

    // ---- shared secrets ---------------------------------------------------------------------------------------

    @Override
    public CompletionStage<SharedSecret> sharedSecret(String name, Duration rotateEvery) {
        long period;
        try {
            SharedSecret.checkName(name);
            period = SharedSecret.checkPeriod(rotateEvery);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return RedisScripts.SECRET.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.secret(name)}, b64.encodeToString(SharedSecret.randomKey()),
                        b64.encodeToString(SharedSecret.randomKey()), Long.toString(period))
                .thenApply(r -> {
                    Base64.Decoder d = Base64.getDecoder();
                    String previous = (String) r.get(2);
                    return new SharedSecret(d.decode((String) r.get(0)), d.decode((String) r.get(1)),
                            previous.isEmpty() ? null : d.decode(previous),
                            Instant.ofEpochMilli(RedisRecords.asLong(r.get(3))));
                });
    }

    // ---- change notification ----------------------------------------------------------------------------------

    @Override
    public AutoCloseable onBackendChange(Consumer<BackendEvent> listener) {
        return view.subscribe(listener);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    /** Unsubscribes, closes both connections and releases the client's threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        view.close();
        closeQuietly(onClose);
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

    private static void shutdown(AbstractRedisClient client, ClientResources resources) {
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
}

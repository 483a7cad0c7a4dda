package io.origincluster.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The cluster state every proxy and the operator share. All calls are asynchronous so that a data-plane event loop
 * never blocks on Redis. Implementations must make racing writes from several proxies atomic.
 *
 * <p>Pins: a stream key maps to one backend. A pin is only returned while its backend is live (registered, not
 * expired); otherwise the next {@link #pin} replaces it. Pins carry a TTL that {@link #touchPin} refreshes while
 * sessions of the stream are active, so idle streams eventually release their origin.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Inserts or replaces a backend and (re)starts its registration lease. The {@code draining} flag of the
     * argument is used only when the backend is not live yet; a live backend keeps its flag, which only
     * {@link #setDraining} changes (a heartbeat must not end a drain). Returns the stored record, with the flag
     * it now has.
     */
    CompletionStage<Backend> register(Backend backend, Duration ttl);

    /** Removes a backend at once; its pins become invalid. True if it existed. */
    CompletionStage<Boolean> deregister(String backendId);

    /** Marks a backend draining: it keeps its pins but gets no new streams. False if unknown. */
    CompletionStage<Boolean> setDraining(String backendId, boolean draining);

    /** Backends whose lease has not expired, draining ones included. */
    CompletionStage<List<Backend>> liveBackends();

    CompletionStage<Optional<Backend>> backend(String backendId);

    /**
     * Returns the live backend pinned to {@code streamKey}, or picks one with the placement policy among live,
     * non-draining backends not in {@code exclude} and pins it atomically. Two callers racing on a new key get
     * the same backend. Completes exceptionally with {@link NoBackendAvailableException} when none fits.
     */
    CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl);

    /**
     * As {@link #pin(String, Set, Duration)}, but a new pin goes to {@code preferred} when it is live, not draining,
     * not excluded and under its cap (otherwise the policy picks). An existing live pin still wins: this is how a
     * pin a proxy made locally while the store was unreachable is written back, the first writer winning.
     */
    CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl, String preferred);

    /** The live backend pinned to {@code streamKey}, without picking. */
    CompletionStage<Optional<Backend>> pinned(String streamKey);

    /** Extends the pin's TTL while it still names {@code backendId}. */
    CompletionStage<Boolean> touchPin(String streamKey, String backendId, Duration pinTtl);

    /** Compare-and-delete: removes the pin only while it names {@code backendId}. */
    CompletionStage<Boolean> unpin(String streamKey, String backendId);

    /** Every current pin, stream key to backend id (for APIs and the operator's status). */
    CompletionStage<Map<String, String>> pins();

    CompletionStage<Void> putSession(SessionRecord session, Duration ttl);

    CompletionStage<Optional<SessionRecord>> session(SessionKind kind, String id);

    /** Refreshes a session's TTL; false if it no longer exists. */
    CompletionStage<Boolean> touchSession(SessionKind kind, String id, Duration ttl);

    CompletionStage<Boolean> removeSession(SessionKind kind, String id);

    /**
     * The secret called {@code name} that every replica on this store shares (e.g. the HLS token key), created on
     * the first call from random bytes ({@link SharedSecret#KEY_BYTES}) in one atomic step, so racing replicas get
     * the same one. A call made {@code rotateEvery} or more after the last rotation rotates it (the next key becomes
     * current, the current one previous, a new next is made), also atomically: exactly one caller rotates. The
     * secret lapses {@code 2 x rotateEvery} after the last call, so a cluster that stopped leaves nothing behind.
     *
     * @param name        {@code [a-z0-9-]{1,32}}
     * @param rotateEvery at least one millisecond
     */
    CompletionStage<SharedSecret> sharedSecret(String name, Duration rotateEvery);

    /**
     * The publisher lease of a stream: at most one holder cluster-wide, so a second publisher of a live key can be
     * refused on any proxy. Takes the lease for {@code holder} when it is free, lapsed, or already {@code holder}'s
     * (which renews it); with {@code takeOver}, also from another holder. One atomic step.
     *
     * @return true when {@code holder} has the lease afterwards
     */
    CompletionStage<Boolean> acquirePublisher(String streamKey, String holder, Duration ttl, boolean takeOver);

    /** Extends the lease while {@code holder} still has it; false when it lost it (lapsed and taken, taken over). */
    CompletionStage<Boolean> renewPublisher(String streamKey, String holder, Duration ttl);

    /** Compare-and-delete: frees the lease only while {@code holder} has it. */
    CompletionStage<Boolean> releasePublisher(String streamKey, String holder);

    /** Subscribes to backend changes; closing the handle unsubscribes. */
    AutoCloseable onBackendChange(Consumer<BackendEvent> listener);

    @Override
    void close();
}

package io.origincluster.dataplane.routing;

import io.origincluster.state.Backend;
import io.origincluster.state.BackendEvent;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A real store wrapped to count the calls RoutingCore makes (pins and touches), so tests can see throttling. */
final class CountingStore implements StateStore {

    final StateStore delegate;
    final AtomicInteger pinCalls = new AtomicInteger();
    final AtomicInteger touchCalls = new AtomicInteger();
    final AtomicInteger unpinCalls = new AtomicInteger();
    /** When set, pins with a preferred origin answer only once it completes (a slow store). */
    volatile java.util.concurrent.CompletableFuture<Void> pinGate;
    /** While true every call fails as an unreachable Redis would (the delegate keeps its state). */
    volatile boolean down;

    private <T> CompletionStage<T> unlessDown(java.util.function.Supplier<CompletionStage<T>> call) {
        return down ? java.util.concurrent.CompletableFuture.failedFuture(
                new IllegalStateException("store down (test)")) : call.get();
    }

    CountingStore(StateStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<Backend> register(Backend backend, Duration ttl) {
        return unlessDown(() -> delegate.register(backend, ttl));
    }

    @Override
    public CompletionStage<Boolean> deregister(String backendId) {
        return delegate.deregister(backendId);
    }

    @Override
    public CompletionStage<Boolean> setDraining(String backendId, boolean draining) {
        return delegate.setDraining(backendId, draining);
    }

    @Override
    public CompletionStage<List<Backend>> liveBackends() {
        return unlessDown(delegate::liveBackends);
    }

    @Override
    public CompletionStage<Optional<Backend>> backend(String backendId) {
        return delegate.backend(backendId);
    }

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl) {
        pinCalls.incrementAndGet();
        return unlessDown(() -> delegate.pin(streamKey, exclude, pinTtl));
    }

    @Override
    public CompletionStage<Optional<Backend>> pinned(String streamKey) {
        return delegate.pinned(streamKey);
    }

    @Override
    public CompletionStage<Boolean> touchPin(String streamKey, String backendId, Duration pinTtl) {
        touchCalls.incrementAndGet();
        return unlessDown(() -> delegate.touchPin(streamKey, backendId, pinTtl));
    }

    @Override
    public CompletionStage<Boolean> unpin(String streamKey, String backendId) {
        unpinCalls.incrementAndGet();
        return unlessDown(() -> delegate.unpin(streamKey, backendId));
    }

    @Override
    public CompletionStage<Map<String, String>> pins() {
        return delegate.pins();
    }

    @Override
    public CompletionStage<Void> putSession(SessionRecord session, Duration ttl) {
        return delegate.putSession(session, ttl);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> session(SessionKind kind, String id) {
        return delegate.session(kind, id);
    }

    @Override
    public CompletionStage<Boolean> touchSession(SessionKind kind, String id, Duration ttl) {
        return delegate.touchSession(kind, id, ttl);
    }

    @Override
    public CompletionStage<Boolean> removeSession(SessionKind kind, String id) {
        return delegate.removeSession(kind, id);
    }

    @Override
    public CompletionStage<Boolean> acquirePublisher(String streamKey, String holder, Duration ttl,
                                                     boolean takeOver) {
        return delegate.acquirePublisher(streamKey, holder, ttl, takeOver);
    }

    @Override
    public CompletionStage<Boolean> renewPublisher(String streamKey, String holder, Duration ttl) {
        return delegate.renewPublisher(streamKey, holder, ttl);
    }

    @Override
    public CompletionStage<Boolean> releasePublisher(String streamKey, String holder) {
        return delegate.releasePublisher(streamKey, holder);
    }

    @Override
    public CompletionStage<io.origincluster.state.SharedSecret> sharedSecret(String name, Duration rotateEvery) {
        return delegate.sharedSecret(name, rotateEvery);
    }

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl, String preferred) {
        pinCalls.incrementAndGet();
        java.util.concurrent.CompletableFuture<Void> gate = pinGate;
        return gate == null ? unlessDown(() -> delegate.pin(streamKey, exclude, pinTtl, preferred))
                : gate.thenCompose(x -> unlessDown(() -> delegate.pin(streamKey, exclude, pinTtl, preferred)));
    }

    @Override
    public AutoCloseable onBackendChange(Consumer<BackendEvent> listener) {
        return delegate.onBackendChange(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

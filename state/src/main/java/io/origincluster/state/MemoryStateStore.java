package io.origincluster.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * State for a single proxy. One lock guards everything: every operation is a few map lookups, so contention
 * stays negligible, and atomicity (pick-and-pin, compare-and-delete) is trivially right. Expired entries are
 * dropped lazily on access and by {@link #sweep()}, which the owner calls periodically.
 *
 * <p>Pin counts for placement are kept incrementally (a set of stream keys per backend) and expired pins leave
 * through a queue ordered by expiry, so picking a backend for a new stream costs O(backends + log pins), not a
 * walk over every pin.
 */
public final class MemoryStateStore implements StateStore {

    private record Pin(String backendId, Instant expiresAt) { }

    /** A moment at which {@code streamKey}'s pin may lapse; stale after a touch or unpin, then simply skipped. */
    private record Due(Instant at, String streamKey) { }

    private record Session(SessionRecord record, Instant expiresAt) { }

    private final Clock clock;
    private final PlacementPolicy policy;
    private final Map<String, Backend> backends = new HashMap<>();
    private final Map<String, Pin> pins = new HashMap<>();
    private final Map<String, Set<String>> pinnedTo = new HashMap<>();
    private final PriorityQueue<Due> due = new PriorityQueue<>(Comparator.comparing(Due::at));
    private final Map<SessionKind, Map<String, Session>> sessions = new HashMap<>();
    private final List<Consumer<BackendEvent>> listeners = new CopyOnWriteArrayList<>();
    /** By name; an entry lapses 2 x its period after its last read (dropped on the next read of any secret). */
    private final Map<String, StoredSecret> secrets = new HashMap<>();
    /** Publisher leases: stream key to holder and lease end. */
    private final Map<String, Lease> publishers = new HashMap<>();

    private record Lease(String holder, Instant expiresAt) { }

    private record StoredSecret(SharedSecret secret, Instant lapsesAt) { }

    public MemoryStateStore(PlacementPolicy policy) {
        this(policy, Clock.systemUTC());
    }

    public MemoryStateStore(PlacementPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
        for (SessionKind k : SessionKind.values()) {
            sessions.put(k, new HashMap<>());
        }
    }

    @Override
    public CompletionStage<Backend> register(Backend backend, Duration ttl) {
        Instant now = clock.instant();
        Backend stored;
        synchronized (this) {
            // only setDraining changes the flag of a live backend: a heartbeat must not end a drain
            Backend current = liveBackend(backend.id(), now);
            boolean draining = current != null ? current.draining() : backend.draining();
            stored = backend.withDraining(draining).withTimes(now, now.plus(ttl));
            backends.put(stored.id(), stored);
        }
        fire(new BackendEvent(stored.draining() ? BackendEvent.Type.DRAINING : BackendEvent.Type.UPSERTED,
                stored.id()));
        return CompletableFuture.completedFuture(stored);
    }

    @Override
    public CompletionStage<Boolean> deregister(String backendId) {
        boolean removed;
        synchronized (this) {
            removed = backends.remove(backendId) != null;
            if (removed) {
                dropPinsOf(backendId);
            }
        }
        if (removed) {
            fire(new BackendEvent(BackendEvent.Type.REMOVED, backendId));
        }
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public CompletionStage<Boolean> setDraining(String backendId, boolean draining) {
        boolean found;
        synchronized (this) {
            Backend b = liveBackend(backendId, clock.instant());
            found = b != null;
            if (found) {
                backends.put(backendId, b.withDraining(draining));
            }
        }
        if (found) {
            fire(new BackendEvent(draining ? BackendEvent.Type.DRAINING : BackendEvent.Type.UPSERTED, backendId));
        }
        return CompletableFuture.completedFuture(found);
    }

    @Override
    public synchronized CompletionStage<SharedSecret> sharedSecret(String name, Duration rotateEvery) {
        try {
            SharedSecret.checkName(name);
            long period = SharedSecret.checkPeriod(rotateEvery);
            Instant now = clock.instant();
            secrets.values().removeIf(s -> !s.lapsesAt().isAfter(now));
            StoredSecret stored = secrets.get(name);
            SharedSecret secret;
            if (stored == null) {
                secret = new SharedSecret(SharedSecret.randomKey(), SharedSecret.randomKey(), null, now);
            } else if (!now.isBefore(stored.secret().rotatedAt().plusMillis(period))) {
                SharedSecret old = stored.secret();
                secret = new SharedSecret(old.next(), SharedSecret.randomKey(), old.current(), now);
            } else {
                secret = stored.secret();
            }
            secrets.put(name, new StoredSecret(secret, now.plusMillis(2 * period)));
            return CompletableFuture.completedFuture(secret);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized CompletionStage<List<Backend>> liveBackends() {
        Instant now = clock.instant();
        List<Backend> out = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b.isLive(now)) {
                out.add(b);
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletionStage<Optional<Backend>> backend(String backendId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(liveBackend(backendId, clock.instant())));
    }

    @Override
    public CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl) {
        return pin(streamKey, exclude, pinTtl, null);
    }

    @Override
    public synchronized CompletionStage<Backend> pin(String streamKey, Set<String> exclude, Duration pinTtl,
                                                     String preferred) {
        Instant now = clock.instant();
        dropDuePins(now);
        Pin current = pins.get(streamKey);
        if (current != null && current.expiresAt().isAfter(now) && !exclude.contains(current.backendId())) {
            Backend b = liveBackend(current.backendId(), now);
            if (b != null) {
                return CompletableFuture.completedFuture(b);
            }
        }
        List<Backend> candidates = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b.isLive(now) && !b.draining() && !exclude.contains(b.id())) {
                candidates.add(b);
            }
        }
        Optional<Backend> chosen = Optional.empty();
        for (Backend b : candidates) {
            if (b.id().equals(preferred) && (b.maxStreams() <= 0 || pinCount(b.id()) < b.maxStreams())) {
                chosen = Optional.of(b);
            }
        }
        if (chosen.isEmpty()) {
            chosen = policy.choose(candidates, this::pinCount, ThreadLocalRandom.current());
        }
        if (chosen.isEmpty()) {
            return CompletableFuture.failedFuture(new NoBackendAvailableException(streamKey));
        }
        putPin(streamKey, new Pin(chosen.get().id(), now.plus(pinTtl)));
        return CompletableFuture.completedFuture(chosen.get());
    }

    @Override
    public synchronized CompletionStage<Optional<Backend>> pinned(String streamKey) {
        Instant now = clock.instant();
        Pin p = pins.get(streamKey);
        if (p == null || !p.expiresAt().isAfter(now)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(liveBackend(p.backendId(), now)));
    }

    @Override
    public synchronized CompletionStage<Boolean> touchPin(String streamKey, String backendId, Duration pinTtl) {
        Instant now = clock.instant();
        Pin p = pins.get(streamKey);
        if (p == null || !p.backendId().equals(backendId) || !p.expiresAt().isAfter(now)) {
            return CompletableFuture.completedFuture(false);
        }
        putPin(streamKey, new Pin(backendId, now.plus(pinTtl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> unpin(String streamKey, String backendId) {
        Pin p = pins.get(streamKey);
        boolean removed = p != null && p.backendId().equals(backendId);
        if (removed) {
            removePin(streamKey);
        }
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public synchronized CompletionStage<Map<String, String>> pins() {
        Instant now = clock.instant();
        Map<String, String> out = new HashMap<>();
        pins.forEach((k, p) -> {
            if (p.expiresAt().isAfter(now) && liveBackend(p.backendId(), now) != null) {
                out.put(k, p.backendId());
            }
        });
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletionStage<Void> putSession(SessionRecord session, Duration ttl) {
        sessions.get(session.kind()).put(session.id(), new Session(session, clock.instant().plus(ttl)));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Optional<SessionRecord>> session(SessionKind kind, String id) {
        Session s = sessions.get(kind).get(id);
        if (s == null || !s.expiresAt().isAfter(clock.instant())) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.of(s.record()));
    }

    @Override
    public synchronized CompletionStage<Boolean> touchSession(SessionKind kind, String id, Duration ttl) {
        Instant now = clock.instant();
        Session s = sessions.get(kind).get(id);
        if (s == null || !s.expiresAt().isAfter(now)) {
            return CompletableFuture.completedFuture(false);
        }
        sessions.get(kind).put(id, new Session(s.record(), now.plus(ttl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> removeSession(SessionKind kind, String id) {
        return CompletableFuture.completedFuture(sessions.get(kind).remove(id) != null);
    }

    @Override
    public AutoCloseable onBackendChange(Consumer<BackendEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public synchronized CompletionStage<Boolean> acquirePublisher(String streamKey, String holder, Duration ttl,
                                                                  boolean takeOver) {
        Instant now = clock.instant();
        Lease cur = publishers.get(streamKey);
        if (cur != null && cur.expiresAt().isAfter(now) && !cur.holder().equals(holder) && !takeOver) {
            return CompletableFuture.completedFuture(false);
        }
        publishers.put(streamKey, new Lease(holder, now.plus(ttl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> renewPublisher(String streamKey, String holder, Duration ttl) {
        Instant now = clock.instant();
        Lease cur = publishers.get(streamKey);
        if (cur == null || !cur.expiresAt().isAfter(now) || !cur.holder().equals(holder)) {
            return CompletableFuture.completedFuture(false);
        }
        publishers.put(streamKey, new Lease(holder, now.plus(ttl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> releasePublisher(String streamKey, String holder) {
        Lease cur = publishers.get(streamKey);
        if (cur == null || !cur.expiresAt().isAfter(clock.instant()) || !cur.holder().equals(holder)) {
            return CompletableFuture.completedFuture(false);
        }
        publishers.remove(streamKey);
        return CompletableFuture.completedFuture(true);
    }

    /** Drops expired backends, pins and sessions; returns how many entries went. */
    public int sweep() {
        List<String> expired = new ArrayList<>();
        int dropped = 0;
        synchronized (this) {
            Instant now = clock.instant();
            for (Iterator<Backend> it = backends.values().iterator(); it.hasNext(); ) {
                Backend b = it.next();
                if (!b.isLive(now)) {
                    it.remove();
                    expired.add(b.id());
                }
            }
            int before = pins.size();
            dropDuePins(now);
            expired.forEach(this::dropPinsOf);
            dropped += before - pins.size();
            for (Map<String, Session> m : sessions.values()) {
                before = m.size();
                m.values().removeIf(s -> !s.expiresAt().isAfter(now));
                dropped += before - m.size();
            }
            before = publishers.size();
            publishers.values().removeIf(l -> !l.expiresAt().isAfter(now));
            dropped += before - publishers.size();
        }
        expired.forEach(id -> fire(new BackendEvent(BackendEvent.Type.REMOVED, id)));
        return dropped + expired.size();
    }

    /** Entries held, for tests that prove maps shrink. */
    public synchronized int size() {
        int n = backends.size() + pins.size() + pinnedTo.size() + due.size() + publishers.size();
        for (Map<String, Session> m : sessions.values()) {
            n += m.size();
        }
        return n;
    }

    @Override
    public void close() {
        listeners.clear();
    }

    private Backend liveBackend(String id, Instant now) {
        Backend b = backends.get(id);
        return b != null && b.isLive(now) ? b : null;
    }

    private long pinCount(String backendId) {
        Set<String> keys = pinnedTo.get(backendId);
        return keys == null ? 0 : keys.size();
    }

    private void putPin(String streamKey, Pin pin) {
        Pin old = pins.put(streamKey, pin);
        if (old != null && !old.backendId().equals(pin.backendId())) {
            forget(old.backendId(), streamKey);
        }
        pinnedTo.computeIfAbsent(pin.backendId(), k -> new HashSet<>()).add(streamKey);
        due.add(new Due(pin.expiresAt(), streamKey));
    }

    private void removePin(String streamKey) {
        Pin old = pins.remove(streamKey);
        if (old != null) {
            forget(old.backendId(), streamKey);
        }
    }

    private void forget(String backendId, String streamKey) {
        Set<String> keys = pinnedTo.get(backendId);
        if (keys != null && keys.remove(streamKey) && keys.isEmpty()) {
            pinnedTo.remove(backendId);
        }
    }

    private void dropPinsOf(String backendId) {
        Set<String> keys = pinnedTo.remove(backendId);
        if (keys != null) {
            keys.forEach(pins::remove);
        }
    }

    /** Removes pins whose time has come; queue entries made stale by a touch or an unpin are just discarded. */
    private void dropDuePins(Instant now) {
        Due d;
        while ((d = due.peek()) != null && !d.at().isAfter(now)) {
            due.poll();
            Pin p = pins.get(d.streamKey());
            if (p != null && !p.expiresAt().isAfter(now)) {
                removePin(d.streamKey());
            }
        }
    }

    private void fire(BackendEvent event) {
        for (Consumer<BackendEvent> l : listeners) {
            l.accept(event);
        }
    }
}

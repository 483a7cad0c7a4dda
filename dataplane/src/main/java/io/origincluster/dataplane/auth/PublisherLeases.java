package io.origincluster.dataplane.auth;

import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publisher per stream, cluster-wide: a publisher session holds the stream's lease in the state store, renewed
 * every third of its TTL while it publishes and released when it ends, so a second publisher on any proxy is
 * refused (409) or, with take-over, takes the lease, and the session that lost it ends (at once on this proxy, at
 * its next renewal on another). The lease belongs to the client session, not to an origin leg: a publisher moved
 * to another origin (drain, origin death) keeps it. When the store cannot answer, the publish goes ahead without a
 * lease (the proxy routes on through a Redis outage; exclusivity returns with the store).
 */
public final class PublisherLeases {

    private static final Logger log = LoggerFactory.getLogger(PublisherLeases.class);
    private static final long STORE_WAIT_MILLIS = 2000;

    private final StateStore store;
    private final Duration ttl;
    private final boolean takeOver;
    private final EventExecutorGroup timers;
    private final String proxyId = UUID.randomUUID().toString();
    private final AtomicLong sequence = new AtomicLong();
    /** The leases this proxy's sessions hold, by stream key; one at most per key. */
    private final ConcurrentHashMap<String, Held> local = new ConcurrentHashMap<>();

    public PublisherLeases(StateStore store, Duration ttl, boolean takeOver, EventExecutorGroup timers) {
        this.store = store;
        this.ttl = ttl;
        this.takeOver = takeOver;
        this.timers = timers;
    }

    /** Completes with the held lease, or fails with {@link AccessDenied} (409) when another publisher has it. */
    CompletionStage<Admitted> acquire(StreamKey key) {
        String k = key.toString();
        String holder = proxyId + "/" + sequence.incrementAndGet();
        // a store that does not answer must not hold the publisher until its handshake times out
        return store.acquirePublisher(k, holder, ttl, takeOver).toCompletableFuture()
                .orTimeout(STORE_WAIT_MILLIS, TimeUnit.MILLISECONDS).handle((ok, err) -> {
            if (err != null) {
                log.atWarn().addKeyValue("key", k).log("publisher lease unavailable, publishing without one: {}",
                        err.toString());
                return Admitted.NOTHING_HELD;
            }
            if (!ok) {
                throw new AccessDenied(AccessDenied.Status.CONFLICT, "stream " + k + " already has a publisher");
            }
            Held h = new Held(k, holder);
            Held previous = local.put(k, h);
            if (previous != null) {
                previous.lost("taken over by a new publisher on this proxy");
            }
            long every = Math.max(100, ttl.toMillis() / 3);
            h.timer = timers.next().scheduleAtFixedRate(h::renew, every, every, TimeUnit.MILLISECONDS);
            return h;
        });
    }

    /** Leases held by this proxy's sessions now (tests prove the map shrinks). */
    public int held() {
        return local.size();
    }

    private final class Held implements Admitted {
        private final String key;
        private final String holder;
        private volatile ScheduledFuture<?> timer;
        private volatile Runnable onLost;
        private volatile boolean done;

        Held(String key, String holder) {
            this.key = key;
            this.holder = holder;
        }

        @Override
        public void onLost(Runnable r) {
            onLost = r;
            if (done) {
                r.run();
            }
        }

        void renew() {
            store.renewPublisher(key, holder, ttl).whenComplete((ok, err) -> {
                if (err != null) {
                    log.atDebug().addKeyValue("key", key).log("publisher lease renewal failed: {}", err.toString());
                } else if (!ok) {
                    // lapsed (the store was away longer than the TTL, or restarted empty) or taken over: only a
                    // lease another publisher holds now ends this one
                    store.acquirePublisher(key, holder, ttl, false).whenComplete((again, err2) -> {
                        if (err2 == null && !again) {
                            lost("another publisher holds the stream now");
                        }
                    });
                }
            });
        }

        void lost(String why) {
            if (done) {
                return;
            }
            stop();
            log.atInfo().addKeyValue("key", key).log("publisher lease lost: {}", why);
            Runnable r = onLost;
            if (r != null) {
                r.run();
            }
        }

        private void stop() {
            done = true;
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            local.remove(key, this);
        }

        @Override
        public void release() {
            if (done) {
                return;
            }
            stop();
            store.releasePublisher(key, holder).exceptionally(e -> false);
        }
    }
}

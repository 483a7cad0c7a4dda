package io.origincluster.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.StateStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublisherLeasesTest {

    private static final StreamKey KEY = StreamKey.of("", "live", "cam1");
    private final DefaultEventLoopGroup timers = new DefaultEventLoopGroup(1);

    @AfterEach
    void stop() {
        timers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** A clock the test moves: the memory store's leases lapse when it says so. */
    private static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-12-02T08:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static Admitted join(PublisherLeases leases) {
        return leases.acquire(KEY).toCompletableFuture().join();
    }

    @Test
    void aLapsedLeaseIsTakenBackButOneHeldByAnotherPublisherEndsTheSession() {
        MovableClock clock = new MovableClock();
        StateStore store = new MemoryStateStore(new LeastPinnedPolicy(), clock);
        PublisherLeases leases = new PublisherLeases(store, Duration.ofSeconds(1), false, timers);
        Admitted first = join(leases);
        AtomicBoolean lost = new AtomicBoolean();
        first.onLost(() -> lost.set(true));
        try {
            join(leases);
            throw new AssertionError("a second publisher got the lease");
        } catch (CompletionException e) {
            assertThat(AccessDenied.of(e).status()).isEqualTo(AccessDenied.Status.CONFLICT);
        }
        // the store was away for longer than the TTL: the lease lapsed, nobody took it, the publisher keeps it
        clock.now = clock.now.plusSeconds(5);
        try {
            Thread.sleep(2000); // six renewals (every 333 ms): the first finds the lease lapsed and takes it back
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(store.acquirePublisher(KEY.toString(), "probe", Duration.ofSeconds(1), false).toCompletableFuture()
                .join()).as("held again by its publisher").isFalse();
        assertThat(lost).isFalse();
        // another publisher takes it over (another proxy with take-over): this one learns at its next renewal
        store.acquirePublisher(KEY.toString(), "other-proxy/1", Duration.ofMinutes(1), true).toCompletableFuture()
                .join();
        Awaitility.await().atMost(Duration.ofSeconds(3)).untilTrue(lost);
        assertThat(leases.held()).isZero();
        first.release();
        assertThat(store.acquirePublisher(KEY.toString(), "x", Duration.ofSeconds(1), false).toCompletableFuture()
                .join()).as("releasing a lost lease leaves the new holder's alone").isFalse();
    }

    @Test
    void aStoreThatDoesNotAnswerLetsThePublisherThroughWithoutALease() {
        StateStore silent = (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
                new Class<?>[] {StateStore.class}, (p, m, args) -> new CompletableFuture<>());
        PublisherLeases leases = new PublisherLeases(silent, Duration.ofSeconds(15), false, timers);
        long t0 = System.nanoTime();
        Admitted a = join(leases);
        assertThat(a).isSameAs(Admitted.NOTHING_HELD);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void takeOverOnOneProxyEndsTheLocalHolderAtOnce() {
        StateStore store = new MemoryStateStore(new LeastPinnedPolicy());
        PublisherLeases leases = new PublisherLeases(store, Duration.ofSeconds(15), true, timers);
        Admitted first = join(leases);
        AtomicBoolean lost = new AtomicBoolean();
        first.onLost(() -> lost.set(true));
        Admitted second = join(leases);
        assertThat(lost).isTrue();
        assertThat(leases.held()).isEqualTo(1);
        first.release();
        assertThat(leases.held()).isEqualTo(1);
        second.release();
        assertThat(leases.held()).isZero();
    }
}

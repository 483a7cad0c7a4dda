package io.origincluster.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.config.RoutingSettings;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.Protocol;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RoutingCore over a real in-memory store; connectors stand in for a protocol's dial to an origin. */
class RoutingCoreTest {

    private static final StreamKey KEY = StreamKey.of("", "live", "livestream");
    private static final Duration TTL = Duration.ofSeconds(30);

    private final CountingStore store = new CountingStore(new MemoryStateStore(new LeastPinnedPolicy()));
    private RoutingCore routing;

    private RoutingCore routing(int retries, Duration pinTtl, Duration cacheTtl) {
        routing = new RoutingCore(store, new RoutingSettings("least-pinned", new LeastPinnedPolicy(), pinTtl,
                Duration.ofSeconds(1), retries, cacheTtl));
        return routing;
    }

    @AfterEach
    void close() {
        if (routing != null) {
            routing.close();
        }
        store.close();
    }

    private void register(String id, String rtmp) throws Exception {
        Backend b = Backend.of(id, "127.0.0." + (id.charAt(id.length() - 1) - 'a' + 1),
                Map.of(Protocol.RTMP, List.of(Endpoint.parse(rtmp, "tcp"))), BackendSource.REGISTER);
        store.register(b, TTL).toCompletableFuture().get();
    }

    private static <T> T get(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(2, TimeUnit.SECONDS);
    }

    private String pinnedId() throws Exception {
        return get(store.pinned(KEY.toString())).map(Backend::id).orElse(null);
    }

    @Test
    void whileTheStoreIsDownKnownPinsAreServedStaleAndNewStreamsArePlacedOnKnownOrigins() throws Exception {
        routing(2, TTL, Duration.ofMillis(100));
        register("a", "1935");
        register("b", "1936");
        String known = get(routing.route(KEY, Protocol.RTMP)).backend().id();
        routing.sweep(); // reads the live backends: both are known
        Thread.sleep(150); // past the cache TTL

        store.down = true;
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).as("stale pin").isEqualTo(known);
        assertThat(routing.storeAvailable()).isFalse();
        StreamKey fresh = StreamKey.of("", "live", "new-during-outage");
        String local = get(routing.route(fresh, Protocol.RTMP)).backend().id();
        assertThat(local).isIn("a", "b");
        for (int i = 0; i < 5; i++) {
            assertThat(get(routing.route(fresh, Protocol.RTMP)).backend().id()).isEqualTo(local);
        }
        assertThat(routing.unsyncedPins()).isEqualTo(2);
        assertThat(get(routing.route(fresh, Protocol.RTMP, java.util.Set.of(local))).backend().id())
                .as("an avoided origin is not used even locally").isNotEqualTo(local);

        // meanwhile another proxy (on the store directly) pinned the known stream elsewhere
        String other = known.equals("a") ? "b" : "a";
        store.delegate.unpin(KEY.toString(), known).toCompletableFuture().get();
        store.delegate.pin(KEY.toString(), java.util.Set.of(), TTL, other).toCompletableFuture().get();

        store.down = false;
        routing.storeReachable();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(routing::storeAvailable);
        assertThat(routing.unsyncedPins()).isZero();
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id())
                .as("the first writer wins and this proxy's new sessions follow it").isEqualTo(other);
        assertThat(get(store.pinned(fresh.toString())).map(Backend::id)).as("the local pin was written back")
                .isPresent();
    }

    @Test
    void aPinUsedInTheSecondHalfOfItsCacheLifeIsReadAgainInTheBackgroundAndNoRouteWaitsForIt() throws Exception {
        routing(2, TTL, Duration.ofSeconds(2));
        register("a", "1935");
        get(routing.route(KEY, Protocol.RTMP));
        assertThat(store.pinCalls.get()).isEqualTo(1);
        Thread.sleep(1200); // past half of the cache TTL, not past it

        store.pinGate = new CompletableFuture<>(); // the store is slow from now on
        CompletionStage<Route> r = routing.route(KEY, Protocol.RTMP);
        assertThat(r.toCompletableFuture().isDone()).as("served from the cache, not after the store").isTrue();
        assertThat(get(r).backend().id()).isEqualTo("a");
        assertThat(store.pinCalls.get()).as("one refresh started").isEqualTo(2);
        assertThat(routing.route(KEY, Protocol.RTMP).toCompletableFuture().isDone()).isTrue();
        assertThat(store.pinCalls.get()).as("one refresh at a time per stream").isEqualTo(2);

        CompletableFuture<Void> slow = store.pinGate;
        store.pinGate = null;
        slow.complete(null); // the refresh answers: the entry is fresh for another cache TTL
        Thread.sleep(1000); // past the first answer's cache TTL (2.2 s after it), within the refreshed one
        store.pinGate = new CompletableFuture<>();
        assertThat(routing.route(KEY, Protocol.RTMP).toCompletableFuture().isDone())
                .as("the refreshed entry serves it without the store").isTrue();
        store.pinGate.complete(null);
    }

    @Test
    void aPinPastItsCacheLifeIsAskedForAgainBeforeTheRouteAnswers() throws Exception {
        routing(2, TTL, Duration.ofMillis(100));
        register("a", "1935");
        get(routing.route(KEY, Protocol.RTMP));
        Thread.sleep(150);
        store.pinGate = new CompletableFuture<>();
        CompletionStage<Route> r = routing.route(KEY, Protocol.RTMP);
        assertThat(r.toCompletableFuture().isDone()).as("an expired entry waits for the store").isFalse();
        store.pinGate.complete(null);
        assertThat(get(r).backend().id()).isEqualTo("a");
    }

    @Test
    void withNothingKnownAnUnreachableStoreGivesARetryableNoRoute() {
        routing(2, TTL, Duration.ofSeconds(1));
        store.down = true;
        assertThatThrownBy(() -> get(routing.route(KEY, Protocol.RTMP)))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(NoRouteException.class, e -> assertThat(e.getMessage()).contains("unreachable"));
    }

    @Test
    void aStreamStaysOnTheOriginItWasPinnedTo() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        Route first = get(routing.route(KEY, Protocol.RTMP));
        register("b", "1936");
        register("c", "1937");
        for (int i = 0; i < 20; i++) {
            assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).isEqualTo(first.backend().id());
        }
        assertThat(pinnedId()).isEqualTo("a");
    }

    @Test
    void routeDialsTheRegisteredIpForWildcardEndpointsAndTheNamedHostOtherwise() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "0.0.0.0:19351");
        Route r = get(routing.route(KEY, Protocol.RTMP));
        assertThat(r.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 19351));
        store.deregister("a").toCompletableFuture().get();
        register("b", "127.0.0.9:19352");
        assertThat(get(routing.route(KEY, Protocol.RTMP)).address()).isEqualTo(new InetSocketAddress("127.0.0.9", 19352));
    }

    @Test
    void noOriginGivesARetryableNoRoute() {
        routing(2, TTL, Duration.ofSeconds(1));
        assertThatThrownBy(() -> get(routing.route(KEY, Protocol.RTMP)))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(NoRouteException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void aPinnedOriginWithoutTheProtocolGivesANonRetryableNoRoute() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        assertThatThrownBy(() -> get(routing.route(KEY, Protocol.SRT)))
                .cause().isInstanceOfSatisfying(NoRouteException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("srt");
                });
    }

    @Test
    void connectFailoverUnpinsTheRefusingOriginAndUsesAnother() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        get(routing.route(KEY, Protocol.RTMP));
        register("b", "1936");
        assertThat(pinnedId()).isEqualTo("a");

        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        String used = get(routing.connect(KEY, Protocol.RTMP, route -> {
            tried.add(route.backend().id());
            return route.backend().id().equals("a")
                    ? CompletableFuture.failedFuture(new ConnectException("refused"))
                    : CompletableFuture.completedFuture(route.backend().id());
        }));
        assertThat(used).isEqualTo("b");
        assertThat(tried).containsExactly("a", "b");
        assertThat(pinnedId()).as("the stream moved to the origin that answered").isEqualTo("b");
        // later sessions go straight to b
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).isEqualTo("b");
    }

    @Test
    void unpinAfterAFailureNeverDeletesANewerPinAnotherProxyMade() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        get(routing.route(KEY, Protocol.RTMP));
        register("b", "1936");
        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        String used = get(routing.connect(KEY, Protocol.RTMP, route -> {
            tried.add(route.backend().id());
            if (route.backend().id().equals("a")) {
                // meanwhile another proxy saw a fail too and re-pinned the stream to b
                try {
                    store.delegate.unpin(KEY.toString(), "a").toCompletableFuture().get();
                    assertThat(get(store.delegate.pin(KEY.toString(), java.util.Set.of("a"), TTL)).id()).isEqualTo("b");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return CompletableFuture.failedFuture(new ConnectException("refused"));
            }
            return CompletableFuture.completedFuture(route.backend().id());
        }));
        assertThat(store.unpinCalls.get()).as("our proxy did try to unpin a").isEqualTo(1);
        assertThat(pinnedId()).as("b's pin survived the compare-and-delete of a").isEqualTo("b");
        assertThat(used).isEqualTo("b");
        assertThat(tried).containsExactly("a", "b");
    }

    @Test
    void retriesAreBoundedAndTheLastErrorIsReported() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        for (String id : List.of("a", "b", "c", "d", "e")) {
            register(id, "1935");
        }
        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        CompletionStage<String> result = routing.connect(KEY, Protocol.RTMP, route -> {
            tried.add(route.backend().id());
            return CompletableFuture.failedFuture(new ConnectException("refused by " + route.backend().id()));
        });
        assertThatThrownBy(() -> get(result)).cause().isInstanceOf(ConnectException.class)
                .hasMessage("refused by " + tried.get(tried.size() - 1));
        assertThat(tried).as("1 attempt + PROXY_CONNECT_RETRIES=2").hasSize(3).doesNotHaveDuplicates();
        assertThat(pinnedId()).isNull();
    }

    @Test
    void zeroRetriesMeansOneAttempt() throws Exception {
        routing(0, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        register("b", "1936");
        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        assertThatThrownBy(() -> get(routing.connect(KEY, Protocol.RTMP, route -> {
            tried.add(route.backend().id());
            return CompletableFuture.failedFuture(new ConnectException("refused"));
        }))).cause().isInstanceOf(ConnectException.class);
        assertThat(tried).hasSize(1);
    }

    @Test
    void theLocalPinCacheIsClearedWhenTheOriginIsRemoved() throws Exception {
        routing(2, TTL, Duration.ofSeconds(60));
        register("a", "1935");
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).isEqualTo("a");
        register("b", "1936");
        int pins = store.pinCalls.get();
        // a silent unpin (no event) does not reach this proxy: the cached pin is served without a store call
        store.delegate.unpin(KEY.toString(), "a").toCompletableFuture().get();
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).isEqualTo("a");
        assertThat(store.pinCalls.get()).isEqualTo(pins);
        // removal fires REMOVED: the cache entry naming a is gone and the next route re-pins to b
        store.deregister("a").toCompletableFuture().get();
        assertThat(get(routing.route(KEY, Protocol.RTMP)).backend().id()).isEqualTo("b");
        assertThat(store.pinCalls.get()).isEqualTo(pins + 1);
    }

    @Test
    void touchReachesTheStoreAtMostOncePerThirdOfThePinTtl() throws Exception {
        routing(2, Duration.ofMillis(1500), Duration.ofSeconds(1));
        register("a", "1935");
        get(routing.route(KEY, Protocol.RTMP));
        int before = store.touchCalls.get();
        for (int i = 0; i < 1000; i++) {
            routing.touch(KEY, "a");
        }
        assertThat(store.touchCalls.get() - before).as("route() counts as a touch").isZero();
        Thread.sleep(550);
        for (int i = 0; i < 1000; i++) {
            routing.touch(KEY, "a");
        }
        assertThat(store.touchCalls.get() - before).isEqualTo(1);
        // touching keeps the pin alive past its TTL
        Thread.sleep(550);
        routing.touch(KEY, "a");
        Thread.sleep(550);
        routing.touch(KEY, "a");
        assertThat(store.touchCalls.get() - before).isEqualTo(3);
        assertThat(pinnedId()).isEqualTo("a");
    }

    @Test
    void localMapsShrinkOnceStreamsGoQuiet() throws Exception {
        routing(2, Duration.ofSeconds(1), Duration.ofMillis(200));
        register("a", "1935");
        for (int i = 0; i < 50; i++) {
            get(routing.route(StreamKey.of("", "live", "s" + i), Protocol.RTMP));
        }
        assertThat(routing.cachedEntries()).isEqualTo(100);
        Thread.sleep(1100);
        routing.sweep();
        assertThat(routing.cachedEntries()).isZero();
    }

    @Test
    void hostNameOriginsAreResolvedOffTheCallersThreadAndUnknownNamesFailClearly() throws Exception {
        routing(0, TTL, Duration.ofSeconds(1));
        Backend named = Backend.of("named", "localhost",
                Map.of(Protocol.RTMP, List.of(Endpoint.parse("1935", "tcp"))), BackendSource.REGISTER);
        store.register(named, TTL).toCompletableFuture().get();
        Route route = get(routing.route(KEY, Protocol.RTMP));
        assertThat(route.address().isUnresolved()).isFalse();
        assertThat(route.address().getAddress().isLoopbackAddress()).isTrue();

        store.deregister("named").toCompletableFuture().get();
        Backend bogus = Backend.of("bogus", "no-such-origin.invalid",
                Map.of(Protocol.RTMP, List.of(Endpoint.parse("1935", "tcp"))), BackendSource.REGISTER);
        store.register(bogus, TTL).toCompletableFuture().get();
        assertThatThrownBy(() -> get(routing.route(StreamKey.of("", "live", "other"), Protocol.RTMP)))
                .hasRootCauseInstanceOf(NoRouteException.class).rootCause()
                .hasMessageContaining("cannot resolve origin host 'no-such-origin.invalid'");
    }

    @Test
    void onlyIpLiteralsSkipTheResolver() {
        assertThat(RoutingCore.isIpLiteral("10.1.2.3")).isTrue();
        assertThat(RoutingCore.isIpLiteral("fd00::2")).isTrue();
        assertThat(RoutingCore.isIpLiteral("localhost")).isFalse();
        assertThat(RoutingCore.isIpLiteral("origin-0.origins.ns.svc")).isFalse();
        assertThat(RoutingCore.isIpLiteral("1.2.3")).isFalse();
    }

    @Test
    void aProxySideSocketFailureNeitherUnpinsNorFailsOver() throws Exception {
        routing(2, TTL, Duration.ofSeconds(1));
        register("a", "1935");
        register("b", "1936");
        String pinned = get(routing.route(KEY, Protocol.RTMP)).backend().id();
        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        CompletionStage<Route> r = routing.connect(KEY, Protocol.RTMP, route -> {
            tried.add(route.backend().id());
            return CompletableFuture.failedFuture(new ProxyResourceException("Too many open files", null));
        });
        assertThatThrownBy(() -> get(r)).hasCauseInstanceOf(ProxyResourceException.class);
        assertThat(tried).containsExactly(pinned);
        assertThat(pinnedId()).isEqualTo(pinned);
    }
}

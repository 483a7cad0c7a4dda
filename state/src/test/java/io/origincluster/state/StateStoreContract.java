package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} promises, run against each implementation. A subclass supplies a fresh, empty
 * store per test. Leases and pin TTLs are 1-2 s so expiry is observed for real, quickly.
 */
public abstract class StateStoreContract {

    protected static final Duration LONG = Duration.ofSeconds(30);
    protected static final Duration SHORT = Duration.ofSeconds(1);

    protected StateStore store;

    /** A new store over empty state, using {@code policy} for placement. */
    protected abstract StateStore newStore(PlacementPolicy policy);

    @BeforeEach
    public void openStore() {
        store = newStore(new LeastPinnedPolicy());
    }

    @AfterEach
    public void closeStore() {
        store.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    protected static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static Backend origin(String id) {
        return new Backend(id, "10.0.0." + (Math.abs(id.hashCode()) % 250 + 1),
                Map.of(Protocol.RTMP, List.of(Endpoint.parse("1935", "tcp")),
                        Protocol.HTTP, List.of(Endpoint.parse("tcp://0.0.0.0:8080", "tcp")),
                        Protocol.RTC, List.of(Endpoint.parse("udp://[::1]:8000", "udp"))),
                BackendSource.REGISTER, Map.of("device_id", "dev-" + id), false, 1, 0, null, null);
    }

    protected Backend register(String id, Duration ttl) {
        return get(store.register(origin(id), ttl));
    }

    protected String pin(String key, String... exclude) {
        return get(store.pin(key, Set.of(exclude), LONG)).id();
    }

    protected Optional<String> pinnedId(String key) {
        return get(store.pinned(key)).map(Backend::id);
    }

    protected List<String> liveIds() {
        return get(store.liveBackends()).stream().map(Backend::id).sorted().toList();
    }

    // ---- backends -----------------------------------------------------------------------------------------------

    @Test
    public void registeredBackendIsListedWithItsWholeRecord() {
        Backend stored = register("a", LONG);
        assertThat(stored.lastSeen()).isNotNull();
        assertThat(stored.expiresAt()).isAfter(stored.lastSeen());

        Backend read = get(store.backend("a")).orElseThrow();
        Backend expected = origin("a");
        assertThat(read.ip()).isEqualTo(expected.ip());
        assertThat(read.endpoints()).isEqualTo(expected.endpoints());
        assertThat(read.labels()).isEqualTo(expected.labels());
        assertThat(read.source()).isEqualTo(BackendSource.REGISTER);
        assertThat(read.expiresAt()).isEqualTo(stored.expiresAt());
        assertThat(liveIds()).containsExactly("a");
        assertThat(get(store.backend("nope"))).isEmpty();

        get(store.register(expected.withCapacity(3, 7).withLabels(Map.of("pod", "p1")), LONG));
        Backend updated = get(store.backend("a")).orElseThrow();
        assertThat(updated.weight()).isEqualTo(3);
        assertThat(updated.maxStreams()).isEqualTo(7);
        assertThat(updated.labels()).containsExactly(Map.entry("pod", "p1"));
        assertThat(liveIds()).containsExactly("a");
    }

    @Test
    public void leaseExpiresUnlessRefreshed() throws InterruptedException {
        register("kept", SHORT);
        register("lapsed", SHORT);
        Thread.sleep(600);
        register("kept", SHORT);
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(liveIds()).containsExactly("kept"));
        assertThat(get(store.backend("lapsed"))).isEmpty();
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(liveIds()).isEmpty());
    }

    @Test
    public void deregisterRemovesBackendAndItsPinsAtOnce() {
        register("a", LONG);
        assertThat(pin("k1")).isEqualTo("a");
        assertThat(pin("k2")).isEqualTo("a");

        assertThat(get(store.deregister("a"))).isTrue();
        assertThat(liveIds()).isEmpty();
        assertThat(pinnedId("k1")).isEmpty();
        assertThat(get(store.pins())).isEmpty();
        assertThat(get(store.deregister("a"))).isFalse();

        register("b", LONG);
        assertThat(pin("k1")).isEqualTo("b");
    }

    @Test
    public void drainingBackendKeepsItsPinsButGetsNoNewStreams() {
        register("a", LONG);
        assertThat(pin("old")).isEqualTo("a");
        register("b", LONG);

        assertThat(get(store.setDraining("a", true))).isTrue();
        assertThat(get(store.backend("a")).orElseThrow().draining()).isTrue();
        assertThat(liveIds()).containsExactly("a", "b");
        assertThat(pin("old")).isEqualTo("a");
        for (int i = 0; i < 10; i++) {
            assertThat(pin("new" + i)).isEqualTo("b");
        }
        assertThat(get(store.setDraining("nope", true))).isFalse();

        assertThat(get(store.setDraining("a", false))).isTrue();
        assertThat(get(store.backend("a")).orElseThrow().draining()).isFalse();
    }

    @Test
    public void registerOfALiveBackendKeepsItsDrainingFlag() {
        // Redis delivers events asynchronously: wait until the set-up's own events are delivered, so the
        // listener under test hears only what the heartbeat below causes
        List<BackendEvent> setUp = new CopyOnWriteArrayList<>();
        AutoCloseable setUpHandle = store.onBackendChange(setUp::add);
        register("a", LONG);
        register("b", LONG);
        assertThat(get(store.setDraining("a", true))).isTrue();
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> setUp.contains(new BackendEvent(BackendEvent.Type.DRAINING, "a")));
        close(setUpHandle);
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable handle = store.onBackendChange(events::add);

        // a heartbeat sends the whole record, draining=false included: the drain goes on, the rest is replaced
        Backend refreshed = get(store.register(origin("a").withCapacity(3, 7), LONG));
        assertThat(refreshed.draining()).isTrue();
        Backend read = get(store.backend("a")).orElseThrow();
        assertThat(read.draining()).isTrue();
        assertThat(read.weight()).isEqualTo(3);
        assertThat(read.maxStreams()).isEqualTo(7);
        for (int i = 0; i < 5; i++) {
            assertThat(pin("new" + i)).isEqualTo("b");
        }
        // and listeners hear that the changed backend is (still) draining
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.DRAINING, "a")));
        assertThat(events).doesNotContain(new BackendEvent(BackendEvent.Type.UPSERTED, "a"));
        close(handle);

        // nor does a register that says draining=true start a drain: only setDraining changes the flag
        assertThat(get(store.setDraining("a", false))).isTrue();
        assertThat(get(store.register(origin("a").withDraining(true), LONG)).draining()).isFalse();
        assertThat(get(store.backend("a")).orElseThrow().draining()).isFalse();

        // a backend that is not live (new, deregistered, lapsed) takes the flag it registers with
        assertThat(get(store.register(origin("c").withDraining(true), LONG)).draining()).isTrue();
        assertThat(get(store.backend("c")).orElseThrow().draining()).isTrue();
        assertThat(get(store.deregister("c"))).isTrue();
        assertThat(get(store.register(origin("c"), SHORT)).draining()).isFalse();
        assertThat(get(store.setDraining("c", true))).isTrue();
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> get(store.backend("c")).isEmpty());
        assertThat(get(store.register(origin("c"), LONG)).draining()).isFalse();
        assertThat(get(store.backend("c")).orElseThrow().draining()).isFalse();
    }

    private static void close(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- pins ---------------------------------------------------------------------------------------------------

    @Test
    public void pinIsSticky() {
        for (String id : List.of("a", "b", "c", "d")) {
            register(id, LONG);
        }
        String first = pin("live/stream");
        for (int i = 0; i < 20; i++) {
            assertThat(pin("live/stream")).isEqualTo(first);
        }
        assertThat(pinnedId("live/stream")).contains(first);
        assertThat(get(store.pins())).containsExactly(Map.entry("live/stream", first));
        assertThat(pinnedId("never/pinned")).isEmpty();
    }

    @Test
    public void concurrentPinnersOfNewKeysAllGetTheSameBackend() throws Exception {
        for (String id : List.of("a", "b", "c", "d")) {
            register(id, LONG);
        }
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                        String id = get(store.pin("c" + i, Set.of(), LONG)).id();
                        seen.computeIfAbsent("c" + i, k -> ConcurrentHashMap.newKeySet()).add(id);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(50);
        assertThat(seen.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
        assertThat(get(store.pins())).hasSize(50);
    }

    @Test
    public void pinToAnExpiredBackendIsNeverReturnedAndRepins() {
        register("short", SHORT);
        assertThat(pin("k")).isEqualTo("short");
        register("long", LONG);

        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(pinnedId("k")).isEmpty());
        assertThat(get(store.pins())).doesNotContainKey("k");
        assertThat(pin("k")).isEqualTo("long");
        assertThat(pinnedId("k")).contains("long");
    }

    @Test
    public void excludedBackendIsReplacedAndExcludingAllFails() {
        register("a", LONG);
        assertThat(pin("k")).isEqualTo("a");
        register("b", LONG);

        assertThat(pin("k", "a")).isEqualTo("b");
        assertThat(pinnedId("k")).contains("b");
        assertThat(pin("k")).isEqualTo("b");
        assertThatThrownBy(() -> pin("other", "a", "b")).isInstanceOf(NoBackendAvailableException.class);
    }

    @Test
    public void preferredBackendTakesANewPinButNeverReplacesALiveOne() {
        register("a", LONG);
        register("b", LONG);
        register("c", LONG);
        for (int i = 0; i < 10; i++) {
            assertThat(get(store.pin("p" + i, Set.of(), LONG, "c")).id()).isEqualTo("c");
        }
        assertThat(get(store.pin("p0", Set.of(), LONG, "a")).id()).as("the first writer wins").isEqualTo("c");
        get(store.setDraining("b", true));
        assertThat(get(store.pin("q", Set.of(), LONG, "b")).id()).as("not on a draining backend").isIn("a", "c");
        assertThat(get(store.pin("r", Set.of("a"), LONG, "a")).id()).as("nor an excluded one").isIn("c");
        assertThat(get(store.pin("s", Set.of(), LONG, "gone")).id()).as("nor an unknown one").isIn("a", "c");
        assertThat(pinnedId("p5")).contains("c");
    }

    @Test
    public void unpinIsCompareAndDelete() {
        register("a", LONG);
        assertThat(pin("k")).isEqualTo("a");
        register("b", LONG);
        // Another proxy found "a" failing and moved the stream to "b".
        assertThat(pin("k", "a")).isEqualTo("b");
        // A proxy that still believes in the old pin must not delete the new one.
        assertThat(get(store.unpin("k", "a"))).isFalse();
        assertThat(pinnedId("k")).contains("b");

        assertThat(get(store.unpin("k", "b"))).isTrue();
        assertThat(pinnedId("k")).isEmpty();
        assertThat(get(store.unpin("k", "b"))).isFalse();
    }

    @Test
    public void touchPinExtendsOnlyThePinNamingThatBackend() throws InterruptedException {
        register("a", LONG);
        assertThat(get(store.pin("touched", Set.of(), SHORT)).id()).isEqualTo("a");
        assertThat(get(store.pin("idle", Set.of(), SHORT)).id()).isEqualTo("a");
        Thread.sleep(500);
        assertThat(get(store.touchPin("touched", "a", Duration.ofSeconds(3)))).isTrue();
        assertThat(get(store.touchPin("touched", "someone-else", Duration.ofSeconds(3)))).isFalse();
        assertThat(get(store.touchPin("unknown", "a", Duration.ofSeconds(3)))).isFalse();

        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(pinnedId("idle")).isEmpty());
        assertThat(pinnedId("touched")).contains("a");
        assertThat(get(store.touchPin("idle", "a", LONG))).isFalse();
    }

    @Test
    public void maxStreamsCapsPlacementAndExpiredPinsFreeCapacity() {
        get(store.register(origin("a").withCapacity(1, 2), LONG));
        get(store.register(origin("b").withCapacity(1, 1), LONG));
        Map<String, Integer> perBackend = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            perBackend.merge(pin("k" + i), 1, Integer::sum);
        }
        assertThat(perBackend).containsEntry("a", 2).containsEntry("b", 1);
        assertThatThrownBy(() -> pin("k3")).isInstanceOf(NoBackendAvailableException.class);

        String onB = get(store.pins()).entrySet().stream().filter(e -> e.getValue().equals("b"))
                .findFirst().orElseThrow().getKey();
        assertThat(get(store.unpin(onB, "b"))).isTrue();
        assertThat(pin("k3")).isEqualTo("b");

        assertThat(get(store.unpin("k3", "b"))).isTrue();
        assertThat(get(store.pin("brief", Set.of(), SHORT)).id()).isEqualTo("b");
        assertThatThrownBy(() -> pin("k4")).isInstanceOf(NoBackendAvailableException.class);
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(NoBackendAvailableException.class)
                .untilAsserted(() -> assertThat(get(store.pin("k4", Set.of(), LONG)).id()).isEqualTo("b"));
    }

    @Test
    public void weightsShiftPlacement() {
        get(store.register(origin("big").withCapacity(3, 0), LONG));
        get(store.register(origin("small").withCapacity(1, 0), LONG));
        int big = 0;
        for (int i = 0; i < 400; i++) {
            if (pin("w" + i).equals("big")) {
                big++;
            }
        }
        assertThat(big).isBetween(280, 320);
    }

    @Test
    public void placementSpreadsEvenly() {
        List<String> ids = List.of("a", "b", "c", "d");
        ids.forEach(id -> register(id, LONG));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            counts.merge(pin("__defaultVhost__/live/s" + i), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        // within 3 % of the even 250 each
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(243, 257));
        assertThat(get(store.pins())).hasSize(1000);
    }

    @Test
    public void noBackendFailsWithNoBackendAvailable() {
        assertThatThrownBy(() -> pin("k")).isInstanceOf(NoBackendAvailableException.class)
                .hasMessageContaining("k");
        register("a", LONG);
        get(store.setDraining("a", true));
        assertThatThrownBy(() -> pin("k")).isInstanceOf(NoBackendAvailableException.class);
    }

    // ---- sessions -----------------------------------------------------------------------------------------------

    @Test
    public void sessionsRoundTripTouchAndRemove() {
        SessionRecord hls = new SessionRecord(SessionKind.HLS, "spbhid-1", "__defaultVhost__/live/a", "a",
                Map.of("full_url", "http://x/live/a.m3u8"));
        SessionRecord rtc = new SessionRecord(SessionKind.WEBRTC, "ufrag:x", "__defaultVhost__/live/a", "b", null);
        SessionRecord srt = new SessionRecord(SessionKind.SRT, "12345", "__defaultVhost__/live/b", "c", Map.of());
        get(store.putSession(hls, LONG));
        get(store.putSession(rtc, LONG));
        get(store.putSession(srt, LONG));

        assertThat(get(store.session(SessionKind.HLS, "spbhid-1"))).contains(hls);
        assertThat(get(store.session(SessionKind.WEBRTC, "ufrag:x"))).contains(rtc);
        assertThat(get(store.session(SessionKind.SRT, "12345"))).contains(srt);
        assertThat(get(store.session(SessionKind.SRT, "spbhid-1"))).isEmpty();

        assertThat(get(store.touchSession(SessionKind.HLS, "spbhid-1", LONG))).isTrue();
        assertThat(get(store.removeSession(SessionKind.HLS, "spbhid-1"))).isTrue();
        assertThat(get(store.session(SessionKind.HLS, "spbhid-1"))).isEmpty();
        assertThat(get(store.removeSession(SessionKind.HLS, "spbhid-1"))).isFalse();
        assertThat(get(store.touchSession(SessionKind.HLS, "spbhid-1", LONG))).isFalse();
    }

    @Test
    public void sessionsExpireUnlessTouched() throws InterruptedException {
        SessionRecord idle = new SessionRecord(SessionKind.WEBRTC, "idle", "k", "a", Map.of());
        SessionRecord busy = new SessionRecord(SessionKind.WEBRTC, "busy", "k", "a", Map.of());
        get(store.putSession(idle, SHORT));
        get(store.putSession(busy, SHORT));
        Thread.sleep(500);
        assertThat(get(store.touchSession(SessionKind.WEBRTC, "busy", Duration.ofSeconds(3)))).isTrue();
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(get(store.session(SessionKind.WEBRTC, "idle"))).isEmpty());
        assertThat(get(store.session(SessionKind.WEBRTC, "busy"))).contains(busy);
    }

    // ---- publisher leases ---------------------------------------------------------------------------------------

    @Test
    public void onePublisherLeasePerStreamRenewedByItsHolderReleasedOnlyByIt() {
        String key = "__defaultVhost__/live/lease";
        assertThat(get(store.acquirePublisher(key, "proxy-a:s1", LONG, false))).isTrue();
        assertThat(get(store.acquirePublisher(key, "proxy-b:s2", LONG, false))).as("a second publisher").isFalse();
        assertThat(get(store.acquirePublisher(key, "proxy-a:s1", LONG, false))).as("its own again").isTrue();
        assertThat(get(store.acquirePublisher("__defaultVhost__/live/other", "proxy-b:s2", LONG, false))).isTrue();
        assertThat(get(store.renewPublisher(key, "proxy-b:s2", LONG))).isFalse();
        assertThat(get(store.renewPublisher(key, "proxy-a:s1", LONG))).isTrue();
        assertThat(get(store.releasePublisher(key, "proxy-b:s2"))).as("not its lease").isFalse();
        assertThat(get(store.acquirePublisher(key, "proxy-b:s2", LONG, false))).isFalse();
        assertThat(get(store.releasePublisher(key, "proxy-a:s1"))).isTrue();
        assertThat(get(store.releasePublisher(key, "proxy-a:s1"))).isFalse();
        assertThat(get(store.acquirePublisher(key, "proxy-b:s2", LONG, false))).as("free again").isTrue();
        assertThat(get(store.acquirePublisher(key, "proxy-c:s3", LONG, true))).as("take-over").isTrue();
        assertThat(get(store.renewPublisher(key, "proxy-b:s2", LONG))).as("the old holder learns it lost").isFalse();
        assertThat(get(store.releasePublisher(key, "proxy-b:s2"))).isFalse();
        assertThat(get(store.acquirePublisher(key, "proxy-b:s2", LONG, false))).isFalse();
    }

    @Test
    public void aPublisherLeaseThatIsNotRenewedLapses() throws InterruptedException {
        String key = "__defaultVhost__/live/lapse";
        assertThat(get(store.acquirePublisher(key, "a", Duration.ofMillis(600), false))).isTrue();
        assertThat(get(store.acquirePublisher(key, "b", LONG, false))).isFalse();
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> get(store.acquirePublisher(key, "b", LONG, false)));
        assertThat(get(store.renewPublisher(key, "a", LONG))).isFalse();
    }

    @Test
    public void concurrentPublishersOfOneStreamGetOneLease() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> racing = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String holder = "p" + i;
                racing.add(pool.submit(() -> get(store.acquirePublisher("__defaultVhost__/live/race", holder, LONG,
                        false))));
            }
            int winners = 0;
            for (var f : racing) {
                winners += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- shared secrets -----------------------------------------------------------------------------------------

    @Test
    public void sharedSecretIsMadeOnceAndEveryCallerGetsTheSameKeys() throws Exception {
        List<CompletionStage<SharedSecret>> racing = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CompletionStage<SharedSecret>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> store.sharedSecret("hls-token", Duration.ofHours(1))));
            }
            for (Future<CompletionStage<SharedSecret>> f : calls) {
                racing.add(f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        SharedSecret first = get(racing.get(0));
        assertThat(first.current()).hasSize(SharedSecret.KEY_BYTES);
        assertThat(first.next()).hasSize(SharedSecret.KEY_BYTES).isNotEqualTo(first.current());
        assertThat(first.previous()).isNull();
        assertThat(first.accepted()).hasSize(2);
        assertThat(first.toString()).doesNotContain(java.util.Base64.getEncoder().encodeToString(first.current()));
        for (CompletionStage<SharedSecret> r : racing) {
            assertThat(get(r)).isEqualTo(first);
        }
        SharedSecret other = get(store.sharedSecret("another", Duration.ofHours(1)));
        assertThat(other.current()).isNotEqualTo(first.current());
        assertThat(get(store.sharedSecret("hls-token", Duration.ofHours(1)))).isEqualTo(first);
    }

    @Test
    public void sharedSecretRotatesOnceAPeriodWithOverlap() throws InterruptedException {
        Duration period = Duration.ofMillis(400);
        SharedSecret before = get(store.sharedSecret("rot", period));
        assertThat(get(store.sharedSecret("rot", period))).isEqualTo(before);
        Thread.sleep(500);
        SharedSecret after = get(store.sharedSecret("rot", period));
        assertThat(after.current()).isEqualTo(before.next());
        assertThat(after.previous()).isEqualTo(before.current());
        assertThat(after.next()).isNotEqualTo(before.current()).isNotEqualTo(before.next());
        assertThat(after.rotatedAt()).isAfter(before.rotatedAt());
        assertThat(get(store.sharedSecret("rot", period))).as("one rotation per period").isEqualTo(after);
    }

    @Test
    public void sharedSecretLapsesTwoPeriodsAfterItsLastUse() throws InterruptedException {
        Duration period = Duration.ofMillis(200);
        SharedSecret first = get(store.sharedSecret("lapse", period));
        Thread.sleep(600);
        SharedSecret fresh = get(store.sharedSecret("lapse", period));
        assertThat(fresh.current()).isNotEqualTo(first.current()).isNotEqualTo(first.next());
        assertThat(fresh.previous()).isNull();
    }

    @Test
    public void sharedSecretRefusesBadArguments() {
        assertThatThrownBy(() -> get(store.sharedSecret("Bad Name", Duration.ofHours(1))))
                .hasMessageContaining("Bad Name");
        assertThatThrownBy(() -> get(store.sharedSecret("ok", Duration.ZERO))).hasMessageContaining("rotation");
    }

    // ---- change notification ------------------------------------------------------------------------------------

    @Test
    public void backendChangesReachListenersWithinASecond() throws Exception {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable handle = store.onBackendChange(events::add);

        register("a", LONG);
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "a")));
        get(store.setDraining("a", true));
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.DRAINING, "a")));
        get(store.deregister("a"));
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.REMOVED, "a")));

        handle.close();
        register("b", LONG);
        get(store.deregister("b"));
        Thread.sleep(300);
        assertThat(events).noneMatch(e -> e.backendId().equals("b"));
    }
}

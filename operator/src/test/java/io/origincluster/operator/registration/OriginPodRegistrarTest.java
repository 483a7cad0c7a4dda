package io.origincluster.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.Protocol;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OriginPodRegistrarTest {
    private final OriginCluster cluster = Clusters.cluster("media", "live", "redis://r");
    private final MemoryStateStore store = new MemoryStateStore(new LeastPinnedPolicy());
    private final OriginPodRegistrar registrar = new OriginPodRegistrar(LeaseTimings.DEFAULT, Clock.systemUTC());

    private List<String> liveIds() {
        return OriginPodRegistrar.await(store.liveBackends()).stream().map(Backend::id).sorted().toList();
    }

    @Test
    void registersReadyPodsAndRemovesTheOthersAtOnce() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        Pod b = Clusters.originPod(cluster, "b", "10.0.0.2");
        RegistrationResult first = registrar.sync(cluster, List.of(a, b, Clusters.originPod(cluster, "c", null)), store);
        assertThat(first.added()).hasSize(2);
        assertThat(liveIds()).containsExactlyInAnyOrder(PodBackends.backendId(a), PodBackends.backendId(b));
        Backend stored = OriginPodRegistrar.await(store.backend(PodBackends.backendId(a))).orElseThrow();
        assertThat(stored.expiresAt()).isAfter(java.time.Instant.now().plusSeconds(50));

        RegistrationResult second = registrar.sync(cluster, List.of(Clusters.notReady(a)), store);
        assertThat(second.removed()).containsExactlyInAnyOrder(PodBackends.backendId(a), PodBackends.backendId(b));
        assertThat(liveIds()).isEmpty();
    }

    @Test
    void manualRegistrationsSurviveAndStaleKubernetesOnesGo() {
        Backend manual = Backend.of("srs-1", "192.0.2.10",
                Map.of(Protocol.RTMP, List.of(new Endpoint("tcp", null, 1935))), BackendSource.REGISTER);
        Backend stale = Backend.of("media/gone-12345678", "10.0.0.9",
                Map.of(Protocol.RTMP, List.of(new Endpoint("tcp", null, 1935))), BackendSource.KUBERNETES);
        OriginPodRegistrar.await(store.register(manual, Duration.ofSeconds(30)));
        OriginPodRegistrar.await(store.register(stale, Duration.ofSeconds(30)));
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        RegistrationResult r = registrar.sync(cluster, List.of(a), store);
        assertThat(r.removed()).containsExactly("media/gone-12345678");
        assertThat(liveIds()).containsExactlyInAnyOrder("srs-1", PodBackends.backendId(a));
    }

    @Test
    void unchangedFreshRegistrationIsNotRewrittenButAnIpChangeIs() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        registrar.sync(cluster, List.of(a), store);
        List<io.origincluster.state.BackendEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        registrar.sync(cluster, List.of(a), store);
        assertThat(events).isEmpty();
        a.getStatus().setPodIP("10.0.0.7");
        registrar.sync(cluster, List.of(a), store);
        assertThat(events).hasSize(1);
        assertThat(OriginPodRegistrar.await(store.backend(PodBackends.backendId(a))).orElseThrow().ip())
                .isEqualTo("10.0.0.7");
    }

    @Test
    void drainingSetByPeopleIsKeptOnRefresh() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        registrar.sync(cluster, List.of(a), store);
        OriginPodRegistrar.await(store.setDraining(PodBackends.backendId(a), true));
        a.getStatus().setPodIP("10.0.0.8");
        registrar.sync(cluster, List.of(a), store);
        assertThat(OriginPodRegistrar.await(store.backend(PodBackends.backendId(a))).orElseThrow().draining()).isTrue();
    }

    private static Pod terminating(Pod pod) {
        return new io.fabric8.kubernetes.api.model.PodBuilder(pod).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
    }

    @Test
    void aRegisteredPodBeingDeletedIsDrainedAtOnceAndStaysRegisteredUntilItStops() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        Pod b = Clusters.originPod(cluster, "b", "10.0.0.2");
        String idA = PodBackends.backendId(a);
        registrar.sync(cluster, List.of(a, b), store);
        OriginPodRegistrar.await(store.pin("__defaultVhost__/live/one", Set.of(PodBackends.backendId(b)),
                Duration.ofMinutes(1)));

        RegistrationResult r = registrar.sync(cluster, List.of(terminating(a), b), store);
        assertThat(r.drained()).containsExactly(idA);
        assertThat(r.removed()).isEmpty();
        assertThat(r.registered()).containsExactly(PodBackends.backendId(b));
        assertThat(liveIds()).containsExactlyInAnyOrder(idA, PodBackends.backendId(b));
        assertThat(OriginPodRegistrar.await(store.backend(idA)).orElseThrow().draining()).isTrue();
        // its streams stay where they are until the proxies move them; new ones go elsewhere
        assertThat(OriginPodRegistrar.await(store.pinned("__defaultVhost__/live/one")).orElseThrow().id())
                .isEqualTo(idA);
        assertThat(OriginPodRegistrar.await(store.pin("__defaultVhost__/live/two", Set.of(), Duration.ofMinutes(1)))
                .id()).isEqualTo(PodBackends.backendId(b));

        // NotReady while terminating (the origin closing listeners): still registered, still draining, once
        RegistrationResult again = registrar.sync(cluster, List.of(Clusters.notReady(terminating(a)), b), store);
        assertThat(again.drained()).isEmpty();
        assertThat(again.removed()).isEmpty();
        assertThat(OriginPodRegistrar.await(store.backend(idA)).orElseThrow().draining()).isTrue();

        // the container stopped (no longer Running), then the pod is gone: deregistered
        Pod stopped = new io.fabric8.kubernetes.api.model.PodBuilder(terminating(a)).editStatus()
                .withPhase("Succeeded").endStatus().build();
        assertThat(registrar.sync(cluster, List.of(stopped, b), store).removed()).containsExactly(idA);
        assertThat(liveIds()).containsExactly(PodBackends.backendId(b));
        assertThat(registrar.sync(cluster, List.of(b), store).removed()).isEmpty();
    }

    @Test
    void aDrainingPodsLeaseIsRefreshedAndAPodDeletedBeforeItWasRegisteredIsNotRegistered() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        String idA = PodBackends.backendId(a);
        registrar.sync(cluster, List.of(a), store);
        registrar.sync(cluster, List.of(terminating(a)), store);
        java.time.Instant before = OriginPodRegistrar.await(store.backend(idA)).orElseThrow().expiresAt();

        // 30 s later (by the registrar's clock) less than 40 s of the 60 s lease are left: refreshed, still draining
        OriginPodRegistrar later = new OriginPodRegistrar(LeaseTimings.DEFAULT,
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(30)));
        RegistrationResult r = later.sync(cluster, List.of(terminating(a)), store);
        assertThat(r.drained()).isEmpty();
        Backend refreshed = OriginPodRegistrar.await(store.backend(idA)).orElseThrow();
        assertThat(refreshed.expiresAt()).isAfter(before);
        assertThat(refreshed.draining()).isTrue();

        Pod late = terminating(Clusters.originPod(cluster, "late", "10.0.0.3"));
        RegistrationResult none = registrar.sync(cluster, List.of(terminating(a), late), store);
        assertThat(none.added()).isEmpty();
        assertThat(none.drained()).isEmpty();
        assertThat(liveIds()).containsExactly(idA);
    }

    @Test
    void countsPinsPerPodForDeletionCost() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        registrar.sync(cluster, List.of(a), store);
        OriginPodRegistrar.await(store.pin("__defaultVhost__/live/one", Set.of(), Duration.ofMinutes(1)));
        OriginPodRegistrar.await(store.pin("__defaultVhost__/live/two", Set.of(), Duration.ofMinutes(1)));
        RegistrationResult r = registrar.sync(cluster, List.of(a), store);
        assertThat(r.pinsByPod()).containsEntry("a", 2L);
        assertThat(r.streams()).isEqualTo(2);
    }

    @Test
    void purgeRemovesEveryBackendAndPin() {
        Pod a = Clusters.originPod(cluster, "a", "10.0.0.1");
        registrar.sync(cluster, List.of(a), store);
        OriginPodRegistrar.await(store.register(Backend.of("srs-1", "192.0.2.10",
                Map.of(Protocol.RTMP, List.of(new Endpoint("tcp", null, 1935))), BackendSource.REGISTER),
                Duration.ofSeconds(30)));
        OriginPodRegistrar.await(store.pin("__defaultVhost__/live/one", Set.of(), Duration.ofMinutes(1)));
        registrar.purge(store);
        assertThat(liveIds()).isEmpty();
        assertThat(OriginPodRegistrar.await(store.pins())).isEmpty();
    }
}

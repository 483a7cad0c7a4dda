package io.origincluster.operator.registration;

import io.fabric8.kubernetes.api.model.Pod;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the store's KUBERNETES backends of one cluster equal to its origin pods: registers Ready pods (refreshing
 * their lease); keeps a registered pod that is being deleted but still runs with an IP, marked draining at once so
 * proxies move its sessions before it stops; removes every other KUBERNETES registration at once. Manual
 * (REGISTER) and default backends are never touched. Runs on a reconciler thread, so it may block, with a bound.
 */
public final class OriginPodRegistrar {
    private static final Logger log = LoggerFactory.getLogger(OriginPodRegistrar.class);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(5);

    private final LeaseTimings timings;
    private final Clock clock;

    public OriginPodRegistrar(LeaseTimings timings, Clock clock) {
        this.timings = timings;
        this.clock = clock;
    }

    public RegistrationResult sync(OriginCluster cluster, Collection<Pod> pods, StateStore store) {
        Map<String, Backend> live = await(store.liveBackends()).stream()
                .collect(Collectors.toMap(Backend::id, Function.identity(), (a, b) -> b));
        Map<String, Pod> serving = pods.stream().filter(PodBackends::isServing)
                .collect(Collectors.toMap(PodBackends::backendId, Function.identity(), (a, b) -> b));

        // only a pod that is registered has sessions to move: a terminating pod is never registered anew
        Map<String, Pod> terminating = pods.stream().filter(PodBackends::isDraining)
                .filter(p -> live.containsKey(PodBackends.backendId(p)))
                .collect(Collectors.toMap(PodBackends::backendId, Function.identity(), (a, b) -> b));

        List<String> added = new ArrayList<>();
        Instant refreshBefore = clock.instant().plus(timings.refreshWhenLeft());
        for (Map.Entry<String, Pod> e : serving.entrySet()) {
            Backend current = live.get(e.getKey());
            // the store keeps the draining flag of a live backend (set by people through the proxies' API)
            Backend wanted = PodBackends.backend(cluster, e.getValue());
            if (current == null || needsRefresh(current, wanted, refreshBefore)) {
                await(store.register(wanted, timings.ttl()));
                if (current == null) {
                    added.add(e.getKey());
                    log.atInfo().addKeyValue("cluster", cluster.getMetadata().getName())
                            .addKeyValue("backend", e.getKey()).addKeyValue("ip", wanted.ip())
                            .log("registered origin pod: Ready with an IP");
                }
            }
        }

        List<String> drained = new ArrayList<>();
        for (Map.Entry<String, Pod> e : terminating.entrySet()) {
            Backend current = live.get(e.getKey());
            // draining=true counts only if the lease lapsed in the meantime; a live backend keeps its flag
            Backend wanted = PodBackends.backend(cluster, e.getValue()).withDraining(true);
            if (needsRefresh(current, wanted, refreshBefore)) {
                await(store.register(wanted, timings.ttl()));
            }
            if (!current.draining()) {
                await(store.setDraining(e.getKey(), true));
                drained.add(e.getKey());
                log.atInfo().addKeyValue("cluster", cluster.getMetadata().getName())
                        .addKeyValue("backend", e.getKey()).addKeyValue("ip", wanted.ip())
                        .log("draining origin pod: being deleted; stays registered while its sessions move");
            }
        }

        List<String> removed = new ArrayList<>();
        for (Backend b : live.values()) {
            if (b.source() == BackendSource.KUBERNETES && !serving.containsKey(b.id())
                    && !terminating.containsKey(b.id())) {
                await(store.deregister(b.id()));
                removed.add(b.id());
                log.atInfo().addKeyValue("cluster", cluster.getMetadata().getName()).addKeyValue("backend", b.id())
                        .log("deregistered origin: pod NotReady, stopped or gone");
            }
        }

        Map<String, String> pins = await(store.pins());
        Map<String, Long> pinsByBackend = pins.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map<String, Long> pinsByPod = new HashMap<>();
        serving.forEach((id, pod) -> pinsByPod.put(pod.getMetadata().getName(), pinsByBackend.getOrDefault(id, 0L)));
        return new RegistrationResult(List.copyOf(serving.keySet()), added, removed, drained, pinsByPod,
                pins.size());
    }

    /** Removes everything the cluster left in the store: all its backends and pins (the cluster is gone). */
    public void purge(StateStore store) {
        for (Backend b : await(store.liveBackends())) {
            await(store.deregister(b.id()));
        }
        await(store.pins()).forEach((key, backendId) -> await(store.unpin(key, backendId)));
    }

    private static boolean needsRefresh(Backend current, Backend wanted, Instant refreshBefore) {
        return current.source() != BackendSource.KUBERNETES
                || !current.ip().equals(wanted.ip())
                || !current.endpoints().equals(wanted.endpoints())
                || current.maxStreams() != wanted.maxStreams()
                || current.expiresAt() == null || current.expiresAt().isBefore(refreshBefore);
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        } catch (ExecutionException e) {
            throw new StoreUnavailableException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("no answer within " + STORE_TIMEOUT.toSeconds() + " s", e);
        }
    }
}

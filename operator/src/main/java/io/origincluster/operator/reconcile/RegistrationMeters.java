package io.origincluster.operator.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the operator changed in the state store, beside JOSDK's own reconcile meters, so a dashboard shows origins
 * coming and going and a Redis that refuses syncs: {@code origincluster_operator_registrations_total{change}}
 * (registered, deregistered, drained) and {@code origincluster_operator_store_sync_failures_total}.
 */
public final class RegistrationMeters {

    private final Counter registered;
    private final Counter deregistered;
    private final Counter drained;
    private final Counter syncFailures;

    public RegistrationMeters(MeterRegistry registry) {
        registered = change(registry, "registered");
        deregistered = change(registry, "deregistered");
        drained = change(registry, "drained");
        syncFailures = Counter.builder("origincluster.operator.store.sync.failures")
                .description("Origin registration syncs the state store did not take (it was unreachable)")
                .register(registry);
    }

    private static Counter change(MeterRegistry registry, String change) {
        return Counter.builder("origincluster.operator.registrations")
                .description("Origin registrations the operator changed in the state store").tag("change", change)
                .register(registry);
    }

    void synced(int added, int removed, int drainedNow) {
        registered.increment(added);
        deregistered.increment(removed);
        drained.increment(drainedNow);
    }

    void syncFailed() {
        syncFailures.increment();
    }
}

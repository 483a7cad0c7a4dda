package io.origincluster.operator.registration;

import java.time.Duration;

/**
 * Origin registrations are leases: long enough to ride out an operator restart or a leader change, refreshed
 * well before they lapse. Deregistration never waits for expiry: it happens on the pod event.
 */
public record LeaseTimings(Duration ttl, Duration refreshWhenLeft, Duration resyncEvery) {
    public static final LeaseTimings DEFAULT =
            new LeaseTimings(Duration.ofSeconds(60), Duration.ofSeconds(40), Duration.ofSeconds(15));
}

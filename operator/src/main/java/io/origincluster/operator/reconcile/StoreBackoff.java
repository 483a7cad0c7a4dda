package io.origincluster.operator.reconcile;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When to reconcile a cluster again while its Redis does not answer: soon at first, then less and less often,
 * never later than {@link #MAX} nor than the normal resync. So a Redis that comes back gets the origin pods
 * registered within seconds (before the proxies stop trusting the origins they last knew), and a long outage costs
 * one attempt per cluster every few seconds, not one per pod event or per resync of every replica of the operator.
 * One entry per cluster that is failing now; it goes on the first success or when the cluster is deleted.
 */
final class StoreBackoff {
    static final Duration FIRST = Duration.ofMillis(500);
    static final Duration MAX = Duration.ofSeconds(5);

    private final Duration resyncEvery;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    StoreBackoff(Duration resyncEvery) {
        this.resyncEvery = resyncEvery;
    }

    /** Records one more failed attempt; returns the delay before the next one. */
    Duration failed(String cluster) {
        int n = failures.merge(cluster, 1, Integer::sum);
        Duration d = FIRST.multipliedBy(1L << Math.min(n - 1, 10));
        Duration cap = MAX.compareTo(resyncEvery) < 0 ? MAX : resyncEvery;
        return d.compareTo(cap) < 0 ? d : cap;
    }

    /** The number of failed attempts that preceded this success (0 if it was not failing). */
    int succeeded(String cluster) {
        Integer n = failures.remove(cluster);
        return n == null ? 0 : n;
    }

    int failing() {
        return failures.size();
    }
}

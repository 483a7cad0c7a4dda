package io.origincluster.state;

import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

/**
 * Power of two random choices: sample two backends, keep the one with fewer pinned streams per unit of weight.
 * Near-even spread without the herding that "always the global minimum" causes when several proxies act on
 * slightly stale counts at once.
 */
public final class LeastPinnedPolicy implements PlacementPolicy {

    @Override
    public Optional<Backend> choose(List<Backend> candidates, ToLongFunction<String> pinnedStreams,
                                    RandomGenerator random) {
        List<Backend> open = PlacementPolicy.withCapacity(candidates, pinnedStreams);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        if (open.size() == 1) {
            return Optional.of(open.get(0));
        }
        int i = random.nextInt(open.size());
        int j = random.nextInt(open.size() - 1);
        if (j >= i) {
            j++;
        }
        Backend a = open.get(i);
        Backend b = open.get(j);
        double la = (double) pinnedStreams.applyAsLong(a.id()) / a.weight();
        double lb = (double) pinnedStreams.applyAsLong(b.id()) / b.weight();
        return Optional.of(la <= lb ? a : b);
    }
}

package io.origincluster.state;

import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

/** Weighted uniform random, the Go proxy's behaviour plus weights and caps. */
public final class RandomPolicy implements PlacementPolicy {

    @Override
    public Optional<Backend> choose(List<Backend> candidates, ToLongFunction<String> pinnedStreams,
                                    RandomGenerator random) {
        List<Backend> open = PlacementPolicy.withCapacity(candidates, pinnedStreams);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        long total = 0;
        for (Backend b : open) {
            total += b.weight();
        }
        long r = random.nextLong(total);
        for (Backend b : open) {
            r -= b.weight();
            if (r < 0) {
                return Optional.of(b);
            }
        }
        return Optional.of(open.get(open.size() - 1));
    }
}

package io.origincluster.state;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

/** Chooses the backend for a stream that has no pin yet. Candidates are already live and not draining. */
public interface PlacementPolicy {

    Optional<Backend> choose(List<Backend> candidates, ToLongFunction<String> pinnedStreams, RandomGenerator random);

    /** Parses {@code least-pinned} (default) or {@code random}. */
    static PlacementPolicy named(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "", "least-pinned", "least_pinned", "p2c" -> new LeastPinnedPolicy();
            case "random" -> new RandomPolicy();
            default -> throw new IllegalArgumentException(
                    "unknown placement policy '" + name + "' (expected least-pinned or random)");
        };
    }

    /** Drops backends that reached their {@code maxStreams}. */
    static List<Backend> withCapacity(List<Backend> candidates, ToLongFunction<String> pinnedStreams) {
        return candidates.stream()
                .filter(b -> b.maxStreams() == 0 || pinnedStreams.applyAsLong(b.id()) < b.maxStreams())
                .toList();
    }
}

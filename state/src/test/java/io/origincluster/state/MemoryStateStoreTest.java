package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryStateStoreTest extends StateStoreContract {

    @Override
    protected StateStore newStore(PlacementPolicy policy) {
        return new MemoryStateStore(policy);
    }

    @Test
    void sweepShrinksEveryMapToNothing() {
        MemoryStateStore memory = (MemoryStateStore) store;
        register("a", SHORT);
        for (int i = 0; i < 50; i++) {
            get(store.pin("k" + i, Set.of(), SHORT));
            get(store.touchPin("k" + i, "a", Duration.ofMillis(1200)));
            get(store.putSession(new SessionRecord(SessionKind.SRT, "s" + i, "k" + i, "a", null), SHORT));
        }
        assertThat(memory.size()).isGreaterThan(150);
        await().atMost(4, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    memory.sweep();
                    assertThat(memory.size()).isZero();
                });
    }
}

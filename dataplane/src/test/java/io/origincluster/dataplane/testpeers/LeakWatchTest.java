package io.origincluster.dataplane.testpeers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak watch the malformed-input tests rely on really reports an unreleased buffer. */
class LeakWatchTest {
    @Test
    void seesALeak() throws Exception {
        try (LeakWatch w = new LeakWatch()) {
            for (int i = 0; i < 10; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(100).writeInt(1);
            }
            assertThat(w.leaks()).isNotEmpty();
            w.leaks(); // drain, so no report of these buffers reaches a later test's watch
        }
    }
}

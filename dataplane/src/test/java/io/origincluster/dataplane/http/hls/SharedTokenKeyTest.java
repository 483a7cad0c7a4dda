package io.origincluster.dataplane.http.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SharedTokenKeyTest {

    private static final StreamKey KEY = StreamKey.of("__defaultVhost__", "live", "s");
    private static final Duration PERIOD = Duration.ofMillis(300);

    @Test
    void replicasOnOneStoreShareTheKeyAndARotationNeverMakesOneRefuseTheOther() throws Exception {
        MemoryStateStore store = new MemoryStateStore(new LeastPinnedPolicy());
        SharedTokenKey a = SharedTokenKey.load(store, PERIOD, Duration.ofSeconds(5));
        SharedTokenKey b = SharedTokenKey.load(store, PERIOD, Duration.ofSeconds(5));
        Instant exp = Instant.now().plusSeconds(60);
        String fromA = a.tokens().sign(KEY, "o", exp);
        assertThat(b.tokens().verify(fromA).originId()).isEqualTo("o");

        Thread.sleep(PERIOD.toMillis() + 100);
        a.refresh(); // A rotates and signs with the new key; B has not re-read yet
        await().atMost(Duration.ofSeconds(2)).until(() -> !a.tokens().sign(KEY, "o", exp).equals(fromA));
        String rotatedFromA = a.tokens().sign(KEY, "o", exp);
        assertThat(rotatedFromA).isNotEqualTo(fromA);
        assertThat(b.tokens().verify(rotatedFromA).originId()).as("B accepts the next key").isEqualTo("o");
        b.refresh();
        assertThat(b.tokens().verify(fromA).originId()).as("and the previous one after re-reading").isEqualTo("o");
        assertThat(a.tokens().verify(fromA).originId()).isEqualTo("o");

        MemoryStateStore elsewhere = new MemoryStateStore(new LeastPinnedPolicy());
        SharedTokenKey c = SharedTokenKey.load(elsewhere, PERIOD, Duration.ofSeconds(5));
        String fromC = c.tokens().sign(KEY, "o", exp);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.tokens().verify(fromC))
                .as("another store, another key").isInstanceOf(HlsToken.InvalidTokenException.class);
        assertThat(a.refreshEvery()).isEqualTo(PERIOD.dividedBy(4));
    }
}

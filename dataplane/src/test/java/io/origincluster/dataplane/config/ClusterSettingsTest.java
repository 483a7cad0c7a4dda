package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    @Test
    void defaults() {
        ClusterSettings c = ProxyConfig.from(Map.of()).cluster();
        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.pollTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.pollConcurrency()).isEqualTo(8);
    }

    @Test
    void valuesAreRead() {
        ClusterSettings c = ProxyConfig.from(Map.of("PROXY_CLUSTER_POLL_INTERVAL", "1m",
                "PROXY_CLUSTER_POLL_TIMEOUT", "10s", "PROXY_CLUSTER_POLL_CONCURRENCY", "3")).cluster();
        assertThat(c.pollInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.pollTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pollConcurrency()).isEqualTo(3);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_CLUSTER_POLL_INTERVAL", "often")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_CLUSTER_POLL_INTERVAL")
                .hasMessageContaining("'often' is not a duration");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_CLUSTER_POLL_INTERVAL", "10ms")))
                .hasMessageContaining("PROXY_CLUSTER_POLL_INTERVAL").hasMessageContaining("at least 100ms");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_CLUSTER_POLL_TIMEOUT", "6s")))
                .hasMessageContaining("PROXY_CLUSTER_POLL_TIMEOUT")
                .hasMessageContaining("must not be longer than PROXY_CLUSTER_POLL_INTERVAL (5000ms)");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_CLUSTER_POLL_CONCURRENCY", "0")))
                .hasMessageContaining("PROXY_CLUSTER_POLL_CONCURRENCY").hasMessageContaining("outside 1..64");
    }
}

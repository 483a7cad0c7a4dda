package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RtmpSettingsTest {

    @Test
    void defaultsFollowTheGoProxy() {
        RtmpSettings s = RtmpSettings.from(new Env(Map.of()));
        assertThat(s.listen().getPort()).isEqualTo(11935);
        assertThat(s.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parsesAndValidatesTimeouts() {
        RtmpSettings s = RtmpSettings.from(new Env(Map.of("PROXY_RTMP_SERVER", "127.0.0.1:1936",
                "PROXY_RTMP_HANDSHAKE_TIMEOUT", "2s", "PROXY_RTMP_IDLE_TIMEOUT", "500ms")));
        assertThat(s.listen().getPort()).isEqualTo(1936);
        assertThat(s.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> RtmpSettings.from(new Env(Map.of("PROXY_RTMP_HANDSHAKE_TIMEOUT", "0s"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_RTMP_HANDSHAKE_TIMEOUT");
        assertThatThrownBy(() -> RtmpSettings.from(new Env(Map.of("PROXY_RTMP_IDLE_TIMEOUT", "10ms"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_RTMP_IDLE_TIMEOUT");
    }
}

package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {

    @Test
    void unsetTokenKeyMeansAKeySharedThroughTheStateStore() {
        HttpSettings a = HttpSettings.from(new Env(Map.of()));
        assertThat(a.hlsTokenKeyShared()).isTrue();
        assertThat(a.hlsTokenKey()).isNull();
        assertThat(a.hlsTokenTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(a.hlsTokenRotation()).isEqualTo(Duration.ofHours(24));
        assertThat(a.toString()).contains("hlsTokenKey=shared through the state store");
        assertThat(a.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void configuredTokenKeyIsUsedAndMaskedInTheDescription() {
        Env env = new Env(Map.of("PROXY_HLS_TOKEN_KEY", "a-shared-secret-of-some-length", "PROXY_HLS_TOKEN_TTL", "2m"));
        HttpSettings s = HttpSettings.from(env);
        assertThat(s.hlsTokenKeyShared()).isFalse();
        assertThat(new String(s.hlsTokenKey(), StandardCharsets.UTF_8)).isEqualTo("a-shared-secret-of-some-length");
        assertThat(s.hlsTokenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(env.describe()).contains("PROXY_HLS_TOKEN_KEY=******").doesNotContain("a-shared-secret");
        assertThat(s.toString()).doesNotContain("a-shared-secret");
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_HLS_TOKEN_KEY", "short"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_HLS_TOKEN_KEY");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_HLS_TOKEN_ROTATION", "90m"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_HLS_TOKEN_ROTATION")
                .hasMessageContaining("PROXY_HLS_TOKEN_TTL");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_HLS_TOKEN_ROTATION", "often"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_HLS_TOKEN_ROTATION");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_HLS_TOKEN_TTL", "1s"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_HLS_TOKEN_TTL");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_HTTP_IDLE_TIMEOUT", "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_HTTP_IDLE_TIMEOUT");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_STATIC_FILES", "/no/such/dir"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_STATIC_FILES");
        assertThatThrownBy(() -> HttpSettings.from(new Env(Map.of("PROXY_PLAYER_PAGES", "maybe"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROXY_PLAYER_PAGES");
    }

    @Test
    void playerPagesAreOnByDefault() {
        assertThat(HttpSettings.from(new Env(Map.of())).playerPages()).isTrue();
        assertThat(HttpSettings.from(new Env(Map.of("PROXY_PLAYER_PAGES", "off"))).playerPages()).isFalse();
    }
}

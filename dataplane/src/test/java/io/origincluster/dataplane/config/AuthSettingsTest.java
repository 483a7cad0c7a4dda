package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {

    @Test
    void defaultsAreOpenWithOnePublisherPerStream() {
        ProxyConfig c = ProxyConfig.from(Map.of());
        assertThat(c.auth().mode()).isEqualTo(AuthSettings.Mode.OFF);
        assertThat(c.auth().publisherConflict()).isEqualTo(AuthSettings.PublisherConflict.REFUSE);
        assertThat(c.auth().publisherLeaseTtl()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.auth().hookTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.systemApi().registerAllowed().contains("10.0.0.1")).isTrue();
        assertThat(c.systemApi().registerAllowed().contains("172.31.255.255")).isTrue();
        assertThat(c.systemApi().registerAllowed().contains("172.32.0.1")).isFalse();
        assertThat(c.systemApi().registerAllowed().contains("::1")).isTrue();
        assertThat(c.systemApi().registerAllowed().contains("8.8.8.8")).isFalse();
        assertThat(c.systemApi().readToken()).isEmpty();
    }

    @Test
    void badValuesNameTheirVariable() {
        Map<Map<String, String>, String> bad = Map.of(
                Map.of("PROXY_AUTH", "maybe"), "PROXY_AUTH",
                Map.of("PROXY_AUTH", "token"), "PROXY_AUTH_SECRET",
                Map.of("PROXY_AUTH_SECRET", "short"), "PROXY_AUTH_SECRET",
                Map.of("PROXY_AUTH", "http"), "PROXY_AUTH_HOOK_URL",
                Map.of("PROXY_AUTH", "http", "PROXY_AUTH_HOOK_URL", "ftp://x/"), "PROXY_AUTH_HOOK_URL",
                Map.of("PROXY_AUTH_HOOK_TIMEOUT", "5ms"), "PROXY_AUTH_HOOK_TIMEOUT",
                Map.of("PROXY_PUBLISHER_CONFLICT", "kick"), "PROXY_PUBLISHER_CONFLICT",
                Map.of("PROXY_PUBLISHER_LEASE_TTL", "100ms"), "PROXY_PUBLISHER_LEASE_TTL",
                Map.of("PROXY_REGISTER_ALLOWED_CIDRS", "10.0.0.0/33"), "PROXY_REGISTER_ALLOWED_CIDRS",
                Map.of("PROXY_REGISTER_ALLOWED_CIDRS", "intranet"), "PROXY_REGISTER_ALLOWED_CIDRS");
        bad.forEach((env, name) -> assertThatThrownBy(() -> ProxyConfig.from(env)).as(env.toString())
                .isInstanceOf(ConfigException.class).hasMessageContaining(name));
    }

    @Test
    void secretsAreMaskedInTheStartLine() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_AUTH", "token", "PROXY_AUTH_SECRET", "visible-secret-value",
                "PROXY_SYSTEM_API_READ_TOKEN", "read-token-value"));
        assertThat(c.description()).doesNotContain("visible-secret-value").doesNotContain("read-token-value")
                .contains("PROXY_AUTH_SECRET=******").contains("PROXY_AUTH=token");
        assertThat(c.auth().toString()).doesNotContain("visible-secret-value");
        assertThat(c.systemApi().toString()).doesNotContain("read-token-value");
    }
}

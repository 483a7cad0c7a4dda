package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {

    @TempDir
    Path dir;

    @Test
    void everyTlsListenerIsOffByDefaultAndNeedsNoCertificate() {
        TlsSettings s = TlsSettings.from(new Env(Map.of()));
        assertThat(s.enabled()).isFalse();
        assertThat(s.rtmpsListen()).isNull();
        assertThat(s.httpsStreamListen()).isNull();
        assertThat(s.httpsApiListen()).isNull();
        assertThat(s.httpsSystemApiListen()).isNull();
        assertThat(s.reloadInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.provider()).isEqualTo(TlsSettings.Provider.AUTO);
        assertThat(TlsSettings.from(new Env(Map.of("PROXY_RTMPS_SERVER", "off"))).enabled()).isFalse();
    }

    @Test
    void aTlsListenerWithItsFiles() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
        Path key = Files.writeString(dir.resolve("tls.key"), "x");
        TlsSettings s = TlsSettings.from(new Env(Map.of("PROXY_RTMPS_SERVER", "11936", "PROXY_HTTPS_API",
                "127.0.0.1:11986", "PROXY_TLS_CERT", cert.toString(), "PROXY_TLS_KEY", key.toString(),
                "PROXY_TLS_PROVIDER", "jdk", "PROXY_TLS_RELOAD_INTERVAL", "500ms")));
        assertThat(s.enabled()).isTrue();
        assertThat(s.rtmpsListen().getPort()).isEqualTo(11936);
        assertThat(s.httpsApiListen().getHostString()).isEqualTo("127.0.0.1");
        assertThat(s.httpsStreamListen()).isNull();
        assertThat(s.certFile()).isEqualTo(cert);
        assertThat(s.provider()).isEqualTo(TlsSettings.Provider.JDK);
        assertThat(s.reloadInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void badValuesNameTheVariable() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
        assertThatThrownBy(() -> TlsSettings.from(new Env(Map.of("PROXY_HTTPS_SERVER", "18443"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_TLS_CERT: must be set");
        assertThatThrownBy(() -> TlsSettings.from(new Env(Map.of("PROXY_HTTPS_SERVER", "18443",
                "PROXY_TLS_CERT", cert.toString()))))
                .hasMessageStartingWith("PROXY_TLS_KEY: must be set");
        assertThatThrownBy(() -> TlsSettings.from(new Env(Map.of("PROXY_HTTPS_SERVER", "18443",
                "PROXY_TLS_CERT", cert.toString(), "PROXY_TLS_KEY", dir.resolve("missing.key").toString()))))
                .hasMessageStartingWith("PROXY_TLS_KEY: ").hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> TlsSettings.from(new Env(Map.of("PROXY_RTMPS_SERVER", "abc"))))
                .hasMessageStartingWith("PROXY_RTMPS_SERVER: ");
        Map<String, String> ok = new HashMap<>(Map.of("PROXY_HTTPS_SERVER", "18443", "PROXY_TLS_CERT",
                cert.toString(), "PROXY_TLS_KEY", cert.toString()));
        ok.put("PROXY_TLS_PROVIDER", "boring");
        assertThatThrownBy(() -> TlsSettings.from(new Env(ok))).hasMessageStartingWith("PROXY_TLS_PROVIDER: ");
        ok.put("PROXY_TLS_PROVIDER", "auto");
        ok.put("PROXY_TLS_RELOAD_INTERVAL", "10ms");
        assertThatThrownBy(() -> TlsSettings.from(new Env(ok))).hasMessageStartingWith("PROXY_TLS_RELOAD_INTERVAL: ");
        ok.remove("PROXY_TLS_RELOAD_INTERVAL");
        ok.put("PROXY_TLS_HANDSHAKE_TIMEOUT", "soon");
        assertThatThrownBy(() -> TlsSettings.from(new Env(ok))).hasMessageStartingWith("PROXY_TLS_HANDSHAKE_TIMEOUT: ");
    }
}

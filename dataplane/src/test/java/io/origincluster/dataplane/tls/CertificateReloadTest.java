package io.origincluster.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A certificate swapped on disk reaches the next connection without a restart, on every TLS listener, with
 * OpenSSL and with the JDK; connections opened before keep theirs; a pair that does not load (the key of another
 * certificate) is not served and the previous certificate stays.
 */
class CertificateReloadTest {

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theNextConnectionGetsTheCertificateSwappedOnDisk(String provider) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-reload-");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestCertificates.write(TestCertificates.issue("first", 101, TestCertificates.KeyFormat.PKCS8_EC), cert, key);
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
            "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER",
            "PROXY_RTMPS_SERVER", "PROXY_HTTPS_SERVER", "PROXY_HTTPS_SYSTEM_API"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_TLS_CERT", cert.toString());
        env.put("PROXY_TLS_KEY", key.toString());
        env.put("PROXY_TLS_PROVIDER", provider);
        env.put("PROXY_TLS_RELOAD_INTERVAL", "200ms");
        try (Dataplane proxy = new Dataplane(ProxyConfig.from(env),
                new MemoryStateStore(new LeastPinnedPolicy())).start()) {
            assertThat(proxy.tls().providerName()).isEqualTo(provider);
            int system = proxy.tlsPort("system-api");
            assertThat(serial(presented(proxy.tlsPort("rtmp")))).isEqualTo(101);
            assertThat(serial(presented(system))).isEqualTo(101);

            try (SSLSocket before = connect(system)) {
                TestCertificates.write(TestCertificates.issue("second", 202, TestCertificates.KeyFormat.PKCS1_RSA),
                        cert, key);
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> serial(presented(system)) == 202);
                assertThat(presented(system).getSubjectX500Principal().getName()).isEqualTo("CN=second");
                assertThat(serial(presented(proxy.tlsPort("rtmp")))).as("every TLS listener").isEqualTo(202);
                assertThat(serial(presented(proxy.tlsPort("http-stream")))).isEqualTo(202);
                assertThat(proxy.tls().reloads()).isEqualTo(1);
                // the connection made before the swap still works, with the certificate it shook hands with
                assertThat(versions(before)).startsWith("HTTP/1.1 200");
                assertThat(serial((X509Certificate) before.getSession().getPeerCertificates()[0])).isEqualTo(101);
            }

            // a key that belongs to another certificate: refused, the second certificate keeps being served
            TestCertificates.Issued third = TestCertificates.issue("third", 303, TestCertificates.KeyFormat.PKCS8_EC);
            TestCertificates.Issued other = TestCertificates.issue("other", 404, TestCertificates.KeyFormat.PKCS8_EC);
            TestCertificates.replace(cert, third.certPem());
            TestCertificates.replace(key, other.keyPem());
            Thread.sleep(1000);
            assertThat(serial(presented(system))).isEqualTo(202);
            assertThat(proxy.tls().reloads()).isEqualTo(1);
            // its own key arrives a moment later: now it is served
            TestCertificates.replace(key, third.keyPem());
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> serial(presented(system)) == 303);
            assertThat(proxy.tls().reloads()).isEqualTo(2);
        }
    }

    /**
     * A Secret volume as the kubelet writes it (and as the operator mounts cert-manager's): {@code tls.crt} and
     * {@code tls.key} link through {@code ..data}, a link the kubelet swaps atomically to a new directory on renewal.
     */
    @org.junit.jupiter.api.Test
    void aRenewedSecretVolumeIsServedWithoutARestart() throws Exception {
        Path volume = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-volume-");
        Path v1 = Files.createDirectory(volume.resolve("..2026_12_02_v1"));
        TestCertificates.write(TestCertificates.issue("first", 111, TestCertificates.KeyFormat.PKCS1_RSA),
                v1.resolve("tls.crt"), v1.resolve("tls.key"));
        Files.createSymbolicLink(volume.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(volume.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(volume.resolve("tls.key"), Path.of("..data/tls.key"));
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
            "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER",
            "PROXY_HTTPS_SYSTEM_API"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_TLS_CERT", volume.resolve("tls.crt").toString());
        env.put("PROXY_TLS_KEY", volume.resolve("tls.key").toString());
        env.put("PROXY_TLS_RELOAD_INTERVAL", "200ms");
        try (Dataplane proxy = new Dataplane(ProxyConfig.from(env),
                new MemoryStateStore(new LeastPinnedPolicy())).start()) {
            int system = proxy.tlsPort("system-api");
            assertThat(serial(presented(system))).isEqualTo(111);
            Path v2 = Files.createDirectory(volume.resolve("..2026_12_03_v2"));
            TestCertificates.write(TestCertificates.issue("renewed", 222, TestCertificates.KeyFormat.PKCS1_RSA),
                    v2.resolve("tls.crt"), v2.resolve("tls.key"));
            Path next = Files.createSymbolicLink(volume.resolve("..data_tmp"), v2.getFileName());
            Files.move(next, volume.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> serial(presented(system)) == 222);
            assertThat(proxy.tls().reloads()).isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void aKeyOfAnotherCertificateStopsStartUpNamingTheVariable() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-bad-");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestCertificates.replace(cert, TestCertificates.issue("a", 1, TestCertificates.KeyFormat.PKCS8_EC).certPem());
        TestCertificates.replace(key, TestCertificates.issue("b", 2, TestCertificates.KeyFormat.PKCS8_EC).keyPem());
        Map<String, String> env = new HashMap<>();
        for (String v : new String[] {"PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
            "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER",
            "PROXY_RTMPS_SERVER"}) {
            env.put(v, "127.0.0.1:0");
        }
        env.put("PROXY_TLS_CERT", cert.toString());
        env.put("PROXY_TLS_KEY", key.toString());
        Dataplane proxy = new Dataplane(ProxyConfig.from(env), new MemoryStateStore(new LeastPinnedPolicy()));
        org.assertj.core.api.Assertions.assertThatThrownBy(proxy::start)
                .isInstanceOf(io.origincluster.dataplane.config.ConfigException.class)
                .hasMessageStartingWith("PROXY_TLS_KEY: ").hasMessageContaining("does not belong");
    }

    private static long serial(X509Certificate c) {
        return c.getSerialNumber().longValueExact();
    }

    /** The leaf certificate a fresh connection to {@code port} is shown. */
    private static X509Certificate presented(int port) throws Exception {
        try (SSLSocket s = connect(port)) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLSocket connect(int port) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        // accepts whatever is presented: this test reads the certificate instead of trusting it
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    private static String versions(SSLSocket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write("GET /api/v1/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64];
        int n = in.read(buf);
        return new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
    }
}

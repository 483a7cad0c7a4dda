package io.origincluster.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.tls.TestCertificates.KeyFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Certificate and key files as cert-manager, openssl and others write them; wrong pairs are refused by name. */
class PemCredentialsTest {

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void everyUnencryptedKeyEncodingLoadsWithItsCertificate(KeyFormat format) {
        TestCertificates.Issued issued = TestCertificates.issue("pem-" + format, 42, format);
        PemCredentials pem = PemCredentials.parse(bytes(issued.certPem()), bytes(issued.keyPem()));
        assertThat(pem.leaf().getSerialNumber().longValue()).isEqualTo(42);
        assertThat(pem.key().getAlgorithm()).isEqualTo(issued.keys().getPrivate().getAlgorithm());
        assertThat(secret(pem.key())).isEqualTo(secret(issued.keys().getPrivate()));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheKeyVariable() {
        TestCertificates.Issued a = TestCertificates.issue("a", 1, KeyFormat.PKCS8_EC);
        TestCertificates.Issued b = TestCertificates.issue("b", 2, KeyFormat.PKCS8_EC);
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()), bytes(b.keyPem())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_TLS_KEY: ")
                .hasMessageContaining("does not belong");
        TestCertificates.Issued rsa = TestCertificates.issue("rsa", 3, KeyFormat.PKCS1_RSA);
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()), bytes(rsa.keyPem())))
                .as("an RSA key for an EC certificate").hasMessageStartingWith("PROXY_TLS_KEY: ");
    }

    @Test
    void brokenFilesNameTheirVariable() {
        TestCertificates.Issued a = TestCertificates.issue("a", 1, KeyFormat.PKCS8_EC);
        assertThatThrownBy(() -> PemCredentials.parse(bytes("hello"), bytes(a.keyPem())))
                .hasMessageStartingWith("PROXY_TLS_CERT: ");
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.keyPem()), bytes(a.keyPem())))
                .as("a key where the certificate should be").hasMessageStartingWith("PROXY_TLS_CERT: ");
        String truncated = a.certPem().substring(0, a.certPem().length() / 2) + "\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> PemCredentials.parse(bytes(truncated), bytes(a.keyPem())))
                .hasMessageStartingWith("PROXY_TLS_CERT: ");
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()), bytes(a.certPem())))
                .hasMessageStartingWith("PROXY_TLS_KEY: ").hasMessageContaining("no PEM PRIVATE KEY");
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()),
                bytes("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")))
                .hasMessageStartingWith("PROXY_TLS_KEY: ").hasMessageContaining("encrypted");
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()),
                bytes("-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n")))
                .as("a SEC1 key without a curve").hasMessageStartingWith("PROXY_TLS_KEY: ");
        assertThatThrownBy(() -> PemCredentials.parse(bytes(a.certPem()),
                bytes("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")))
                .hasMessageStartingWith("PROXY_TLS_KEY: ");
    }

    private static java.math.BigInteger secret(java.security.PrivateKey k) {
        return k instanceof java.security.interfaces.ECPrivateKey ec ? ec.getS()
                : ((java.security.interfaces.RSAPrivateKey) k).getPrivateExponent();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

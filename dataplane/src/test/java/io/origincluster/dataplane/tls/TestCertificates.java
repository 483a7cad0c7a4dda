package io.origincluster.dataplane.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Self-signed certificates made in the test (BouncyCastle), written as the PEM files the proxy reads. */
public final class TestCertificates {

    /** How the private key is written: PKCS#8, RSA PKCS#1 (cert-manager's default) or EC SEC1. */
    public enum KeyFormat { PKCS8_RSA, PKCS1_RSA, SEC1_EC, PKCS8_EC }

    public record Issued(X509Certificate certificate, KeyPair keys, String certPem, String keyPem) { }

    private TestCertificates() {
    }

    public static Issued issue(String commonName, long serial, KeyFormat format) {
        try {
            boolean ec = format == KeyFormat.SEC1_EC || format == KeyFormat.PKCS8_EC;
            KeyPairGenerator gen = KeyPairGenerator.getInstance(ec ? "EC" : "RSA");
            if (ec) {
                gen.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                gen.initialize(2048);
            }
            KeyPair keys = gen.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial),
                            Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))),
                            name, keys.getPublic())
                            // clients that verify (curl, the JDK) check the address they dialled against these
                            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")}))
                            .build(new JcaContentSignerBuilder(ec ? "SHA256withECDSA" : "SHA256withRSA")
                                    .build(keys.getPrivate())));
            String keyPem = switch (format) {
                case PKCS8_RSA, PKCS8_EC -> pem(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
                // JcaPEMWriter writes a KeyPair's RSA key in the traditional PKCS#1 form
                case PKCS1_RSA -> pem(keys);
                // SEC1 as openssl writes it: the curve named inside the key (the JDK's PKCS#8 form leaves it out)
                case SEC1_EC -> {
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
                    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                    yield pem(new PemObject("EC PRIVATE KEY", new ECPrivateKey(256, inner.getKey(),
                            info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
                }
            };
            if (format == KeyFormat.PKCS1_RSA && !keyPem.contains("RSA PRIVATE KEY")
                    || format == KeyFormat.SEC1_EC && !keyPem.contains("EC PRIVATE KEY")) {
                throw new IllegalStateException("unexpected key encoding: " + keyPem.lines().findFirst().orElse(""));
            }
            return new Issued(cert, keys, pem(cert), keyPem);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    /** Writes both files the way a Secret update does: each file replaced whole, never seen half-written. */
    public static void write(Issued issued, Path cert, Path key) {
        try {
            replace(cert, issued.certPem());
            replace(key, issued.keyPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void replace(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".swap-", ".pem");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

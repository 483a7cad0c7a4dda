package io.origincluster.dataplane.tls;

import io.origincluster.dataplane.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key read from PEM text, checked to belong together before anything serves
 * them (a key written a moment after its certificate must not be half-loaded). Keys: PKCS#8 ({@code PRIVATE KEY}),
 * RSA PKCS#1 ({@code RSA PRIVATE KEY}, cert-manager's default encoding) and SEC1 ({@code EC PRIVATE KEY}).
 * Encrypted keys are refused. Every error is a {@link ConfigException} naming the variable whose file is wrong.
 */
public record PemCredentials(List<X509Certificate> chain, PrivateKey key) {

    static final String CERT_VAR = "PROXY_TLS_CERT";
    static final String KEY_VAR = "PROXY_TLS_KEY";
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02,
        0x01};

    /** The leaf certificate, the one clients see first. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    public static PemCredentials parse(byte[] certPem, byte[] keyPem) {
        List<X509Certificate> chain = certificates(certPem);
        PrivateKey key = privateKey(keyPem);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new ConfigException(KEY_VAR, "the private key does not belong to the first certificate of "
                    + CERT_VAR);
        }
        return new PemCredentials(chain, key);
    }

    private static List<X509Certificate> certificates(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new ConfigException(CERT_VAR, "no PEM CERTIFICATE block");
        }
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(c -> (X509Certificate) c).toList();
            if (chain.isEmpty()) {
                throw new ConfigException(CERT_VAR, "no certificate in the file");
            }
            return chain;
        } catch (CertificateException e) {
            throw new ConfigException(CERT_VAR, "not a PEM certificate chain: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(byte[] pem) {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(KEY_VAR, "bad base64 in the " + type + " block");
            }
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> pkcs8(Der.sequence(Der.integerZero(), RSA_ALGORITHM, Der.octetString(der)));
                case "EC PRIVATE KEY" -> pkcs8(Der.sequence(Der.integerZero(),
                        Der.sequence(EC_PUBLIC_KEY_OID, Der.sec1CurveOid(der, KEY_VAR)), Der.octetString(der)));
                default -> throw new ConfigException(KEY_VAR, "'" + type
                        + "' is not supported (encrypted keys cannot be read): use an unencrypted PKCS#8 key");
            };
        }
        throw new ConfigException(KEY_VAR, "no PEM PRIVATE KEY block");
    }

    private static PrivateKey pkcs8(byte[] der) {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not this algorithm: try the next
            }
        }
        throw new ConfigException(KEY_VAR, "not an RSA, EC or Ed25519 private key");
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "origin-cluster key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's public key lands here
            return false;
        }
    }
}

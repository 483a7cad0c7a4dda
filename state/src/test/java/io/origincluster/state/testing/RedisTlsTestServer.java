package io.origincluster.state.testing;

import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server speaking only TLS on loopback, with a throw-away self-signed certificate for 127.0.0.1 made
 * by the JDK's own keytool (so no openssl is needed). Clients connect with {@link #uri()}, which skips peer
 * verification because the certificate is trusted by nobody.
 */
public final class RedisTlsTestServer implements AutoCloseable {

    private final RedisServer server;
    private final Path dir;

    private RedisTlsTestServer(RedisServer server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    public static RedisTlsTestServer start() {
        int port = Ports.freeTcp();
        try {
            Path dir = Files.createTempDirectory("redis-tls");
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            selfSigned(dir, cert, key);
            return new RedisTlsTestServer(RedisServer.startWith("redis-tls", port, List.of(
                    "--bind", "127.0.0.1", "--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
                    "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no",
                    "--save", "", "--appendonly", "no", "--protected-mode", "no")), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void selfSigned(Path dir, Path cert, Path key) throws IOException {
        Path store = dir.resolve("tls.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize",
                "2048", "-validity", "1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool could not make a test certificate");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, "changeit".toCharArray());
            }
            PrivateKey pk = (PrivateKey) ks.getKey("redis", "changeit".toCharArray());
            Certificate c = ks.getCertificate("redis");
            Files.writeString(key, pem("PRIVATE KEY", pk.getEncoded()));
            Files.writeString(cert, pem("CERTIFICATE", c.getEncoded()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the test certificate", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public int port() {
        return server.port();
    }

    /** {@code rediss://127.0.0.1:PORT/0?verifyPeer=NONE}. */
    public String uri() {
        return "rediss://127.0.0.1:" + server.port() + "/0?verifyPeer=NONE";
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

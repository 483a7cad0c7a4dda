package io.origincluster.dataplane.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one source of server-side TLS for every TLS listener: each new connection's {@link SslHandler} comes from
 * {@link #newHandler}, built from the current certificate. A watcher thread (never an event loop: it reads files)
 * re-reads the PEM files every {@code PROXY_TLS_RELOAD_INTERVAL}; when their bytes change and the new pair is
 * valid, the next connection gets it, while connections already open keep the certificate they shook hands with.
 * A pair that does not load (half-written, key of another certificate) is logged once and the previous one stays.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    /** What serves right now: the context, the certificate it presents, and the file bytes it came from. */
    private record Loaded(SslContext context, X509Certificate leaf, byte[] fingerprint) { }

    private final TlsSettings settings;
    private final SslProvider provider;
    private final ScheduledExecutorService watcher;
    private final AtomicLong reloads = new AtomicLong();
    private volatile Loaded current;
    private byte[] lastRejected;

    private ServerTls(TlsSettings settings, SslProvider provider) {
        this.settings = settings;
        this.provider = provider;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the certificate (a bad one stops start-up with an error naming the variable) and starts watching the
     * files.
     */
    public static ServerTls start(TlsSettings settings) {
        ServerTls tls = new ServerTls(settings, provider(settings.provider()));
        byte[][] files = tls.readFiles();
        tls.current = tls.load(files);
        tls.logLoaded("TLS certificate loaded");
        long every = settings.reloadInterval().toMillis();
        tls.watcher.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        return tls;
    }

    private static SslProvider provider(TlsSettings.Provider wanted) {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new ConfigException("PROXY_TLS_PROVIDER", "openssl does not load here: "
                            + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** A handler for one new connection, with the certificate current now and the handshake deadline. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler h = current.context().newHandler(alloc);
        h.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        return h;
    }

    /** The certificate new connections get. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** {@code openssl} or {@code jdk}. */
    public String providerName() {
        return provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /** Certificates swapped in since start. */
    public long reloads() {
        return reloads.get();
    }

    /** One watcher round: swap in the files' certificate when their bytes changed and they load. */
    void reloadIfChanged() {
        try {
            byte[][] files = readFiles();
            byte[] fp = fingerprint(files);
            if (Arrays.equals(fp, current.fingerprint()) || Arrays.equals(fp, lastRejected)) {
                return;
            }
            try {
                current = load(files);
                lastRejected = null;
                reloads.incrementAndGet();
                logLoaded("TLS certificate reloaded");
            } catch (ConfigException e) {
                lastRejected = fp;
                log.atWarn().addKeyValue("error", e.getMessage())
                        .log("TLS certificate files changed but do not load; still serving the previous one");
            }
        } catch (ConfigException e) {
            // unreadable for a moment (a Secret update swaps a symlink): the next round tries again
            log.atDebug().addKeyValue("error", e.getMessage()).log("TLS certificate files not readable");
        } catch (RuntimeException e) {
            log.warn("TLS certificate reload failed", e);
        }
    }

    private byte[][] readFiles() {
        return new byte[][] {read(settings.certFile(), "PROXY_TLS_CERT"), read(settings.keyFile(), "PROXY_TLS_KEY")};
    }

    private static byte[] read(Path file, String variable) {
        try {
            if (Files.size(file) > 1024 * 1024) {
                throw new ConfigException(variable, file + " is larger than 1 MiB");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(variable, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private Loaded load(byte[][] files) {
        PemCredentials pem = PemCredentials.parse(files[0], files[1]);
        try {
            SslContext ctx = SslContextBuilder.forServer(pem.key(), pem.chain())
                    .sslProvider(provider).protocols("TLSv1.3", "TLSv1.2").build();
            return new Loaded(ctx, pem.leaf(), fingerprint(files));
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("PROXY_TLS_CERT", "the certificate and key do not make a TLS context: "
                    + e.getMessage());
        }
    }

    private static byte[] fingerprint(byte[][] files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] f : files) {
                md.update(f);
                md.update((byte) 0);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void logLoaded(String what) {
        X509Certificate c = current.leaf();
        log.atInfo().addKeyValue("subject", c.getSubjectX500Principal().getName())
                .addKeyValue("serial", c.getSerialNumber().toString(16))
                .addKeyValue("notAfter", c.getNotAfter().toInstant()).addKeyValue("provider", providerName())
                .log(what);
        if (c.getNotAfter().before(new Date())) {
            log.atWarn().addKeyValue("notAfter", c.getNotAfter().toInstant())
                    .log("the TLS certificate has expired; clients that check it will refuse to connect");
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}

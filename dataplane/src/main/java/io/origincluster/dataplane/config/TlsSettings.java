package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The TLS twins of the plain listeners and the certificate they present. Each {@code *Listen} is null when that
 * TLS listener is off (the default); a TLS listener serves the same handlers as its plain twin, and both run
 * together. {@code certFile}/{@code keyFile} are PEM files, re-read every {@code reloadInterval} so a renewed
 * certificate (a cert-manager Secret mounted as files) reaches the next connection without a restart.
 */
public record TlsSettings(InetSocketAddress rtmpsListen, InetSocketAddress httpsStreamListen,
                          InetSocketAddress httpsApiListen, InetSocketAddress httpsSystemApiListen,
                          Path certFile, Path keyFile, Duration reloadInterval, Duration handshakeTimeout,
                          Provider provider) {

    /** Which TLS implementation serves: OpenSSL (netty-tcnative) when it loads, else the JDK's, unless forced. */
    public enum Provider { AUTO, OPENSSL, JDK }

    static TlsSettings from(Env env) {
        InetSocketAddress rtmps = optionalListen(env, "PROXY_RTMPS_SERVER");
        InetSocketAddress https = optionalListen(env, "PROXY_HTTPS_SERVER");
        InetSocketAddress httpsApi = optionalListen(env, "PROXY_HTTPS_API");
        InetSocketAddress httpsSystem = optionalListen(env, "PROXY_HTTPS_SYSTEM_API");
        boolean any = rtmps != null || https != null || httpsApi != null || httpsSystem != null;
        Path cert = pemFile(env, "PROXY_TLS_CERT", any);
        Path key = pemFile(env, "PROXY_TLS_KEY", any);
        Duration reload = env.duration("PROXY_TLS_RELOAD_INTERVAL", "2s");
        if (reload.toMillis() < 100) {
            throw new ConfigException("PROXY_TLS_RELOAD_INTERVAL", "must be at least 100ms");
        }
        Duration handshake = env.duration("PROXY_TLS_HANDSHAKE_TIMEOUT", "10s");
        if (handshake.toMillis() < 100) {
            throw new ConfigException("PROXY_TLS_HANDSHAKE_TIMEOUT", "must be at least 100ms");
        }
        String p = env.string("PROXY_TLS_PROVIDER", "auto").trim().toUpperCase(Locale.ROOT);
        Provider provider;
        try {
            provider = Provider.valueOf(p);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("PROXY_TLS_PROVIDER", "'" + p.toLowerCase(Locale.ROOT)
                    + "' is not auto, openssl or jdk");
        }
        return new TlsSettings(rtmps, https, httpsApi, httpsSystem, cert, key, reload, handshake, provider);
    }

    /** True when at least one TLS listener is on (and so a certificate is configured). */
    public boolean enabled() {
        return certFile != null;
    }

    /** Off (the default, or {@code off}) gives null; otherwise {@code PORT} or {@code IP:PORT} like every listener. */
    private static InetSocketAddress optionalListen(Env env, String name) {
        String v = env.string(name, "off").trim().toLowerCase(Locale.ROOT);
        return v.equals("off") ? null : env.listen(name, 0);
    }

    private static Path pemFile(Env env, String name, boolean required) {
        String v = env.string(name, "");
        if (!required) {
            return null;
        }
        if (v.isEmpty()) {
            throw new ConfigException(name, "must be set (a PEM file) when a TLS listener is on");
        }
        Path p = Path.of(v).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException(name, "'" + v + "' is not a readable file");
        }
        return p;
    }
}

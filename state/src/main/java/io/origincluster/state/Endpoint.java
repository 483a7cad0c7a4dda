package io.origincluster.state;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One listen address an origin advertises. {@code host} is null when the origin listens on every interface
 * (bare port, wildcard, or empty host): such an endpoint is dialled at the backend's registered ip, because the
 * address an origin binds is not the address a proxy can reach it on.
 */
public record Endpoint(String transport, String host, int port) {

    public Endpoint {
        Objects.requireNonNull(transport, "transport");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Parses every form SRS writes: {@code PORT}, {@code IP:PORT}, {@code [v6]:PORT}, {@code proto://IP:PORT},
     * {@code proto://:PORT}, {@code proto://PORT}, {@code proto://[v6]:PORT}.
     *
     * @param defaultTransport used when the string carries no {@code proto://} prefix
     * @throws IllegalArgumentException with a message that quotes the bad value
     */
    public static Endpoint parse(String value, String defaultTransport) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty endpoint");
        }
        String s = value.trim();
        String transport = defaultTransport;
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            transport = s.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!transport.equals("tcp") && !transport.equals("udp")) {
                throw new IllegalArgumentException("unknown transport in endpoint '" + value + "'");
            }
            s = s.substring(scheme + 3);
        }
        String host = null;
        String port = s;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("bad IPv6 endpoint '" + value + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0) {
                if (s.indexOf(':') != colon) {
                    throw new IllegalArgumentException("IPv6 endpoint needs brackets: '" + value + "'");
                }
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
        }
        if (host != null && (host.isEmpty() || isWildcard(host))) {
            host = null;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in endpoint '" + value + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port out of range in endpoint '" + value + "'");
        }
        return new Endpoint(transport, host, p);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** The address to dial: the endpoint's own host if it names one, else the backend's registered ip. */
    public InetSocketAddress resolve(String backendIp) {
        return InetSocketAddress.createUnresolved(host != null ? host : backendIp, port);
    }

    /** Canonical string form, parseable by {@link #parse}. */
    @Override
    public String toString() {
        String h = host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return transport + "://" + h + ":" + port;
    }
}

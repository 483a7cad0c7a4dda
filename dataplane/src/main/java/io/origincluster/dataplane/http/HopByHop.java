package io.origincluster.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never copied across the proxy. */
final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect",
            "content-length");

    private HopByHop() {
    }

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers, nor those the Connection header names.
     * Content-Length is left to the caller, who knows whether the body changes.
     */
    static void copy(HttpHeaders from, HttpHeaders to) {
        Set<String> named = new java.util.HashSet<>();
        for (String v : from.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                named.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        from.forEach(e -> {
            String n = e.getKey().toLowerCase(Locale.ROOT);
            if (!NAMES.contains(n) && !named.contains(n)) {
                to.add(e.getKey(), e.getValue());
            }
        });
    }
}

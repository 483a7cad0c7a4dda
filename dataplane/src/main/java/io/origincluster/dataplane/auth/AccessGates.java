package io.origincluster.dataplane.auth;

import io.origincluster.dataplane.config.AuthSettings;
import java.time.Clock;

/** The gate of a {@code PROXY_AUTH} mode. */
public final class AccessGates {

    private AccessGates() {
    }

    /** The admission of these settings: its gate and, when a secret is set, the tokens it mints. */
    public static Admission admission(AuthSettings s) {
        return new Admission(of(s), s.secret().isEmpty() ? null : new StreamTokens(s.secret()));
    }

    public static AccessGate of(AuthSettings s) {
        return switch (s.mode()) {
            case OFF -> AccessGate.OPEN;
            case TOKEN -> new TokenGate(new StreamTokens(s.secret()), Clock.systemUTC());
            case HTTP -> new HookGate(s.hookUrl(), s.hookTimeout(), s.hookCacheTtl(), s.hookCacheSize());
        };
    }
}

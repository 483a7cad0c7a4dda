package io.origincluster.dataplane.auth;

import io.origincluster.dataplane.config.AuthSettings;
import io.netty.util.concurrent.EventExecutorGroup;
import io.origincluster.state.StateStore;
import java.time.Clock;

/** The gate of a {@code PROXY_AUTH} mode. */
public final class AccessGates {

    private AccessGates() {
    }

    /**
     * The admission of these settings: its gate, the tokens it mints when a secret is set, and publisher leases in
     * {@code store} (renewed on {@code timers}) unless any number of publishers is allowed.
     */
    public static Admission admission(AuthSettings s, StateStore store, EventExecutorGroup timers) {
        PublisherLeases leases = s.publisherConflict() == AuthSettings.PublisherConflict.ALLOW ? null
                : new PublisherLeases(store, s.publisherLeaseTtl(),
                        s.publisherConflict() == AuthSettings.PublisherConflict.TAKEOVER, timers);
        return new Admission(of(s), s.secret().isEmpty() ? null : new StreamTokens(s.secret()), leases);
    }

    public static AccessGate of(AuthSettings s) {
        return switch (s.mode()) {
            case OFF -> AccessGate.OPEN;
            case TOKEN -> new TokenGate(new StreamTokens(s.secret()), Clock.systemUTC());
            case HTTP -> new HookGate(s.hookUrl(), s.hookTimeout(), s.hookCacheTtl(), s.hookCacheSize());
        };
    }
}

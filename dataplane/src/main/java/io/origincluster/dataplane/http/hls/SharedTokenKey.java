package io.origincluster.dataplane.http.hls;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.state.SharedSecret;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HLS token key when {@code PROXY_HLS_TOKEN_KEY} is unset: one key shared by every replica on the same state
 * store ({@link StateStore#sharedSecret}, created once atomically), so a playlist from one replica and its segments
 * from another work with no configuration. Tokens are signed with the current key; the next and previous keys are
 * accepted too, so a rotation never makes another replica refuse a token. The key is re-read every quarter of the
 * rotation period (at most every minute): that read also performs the rotation when it is due. Key material is
 * never logged.
 */
public final class SharedTokenKey implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedTokenKey.class);
    /** The secret's name in the state store ({@code oc:{<cluster>}:secret:hls-token} in Redis). */
    public static final String NAME = "hls-token";
    private static final Duration MAX_REFRESH = Duration.ofMinutes(1);

    private final StateStore store;
    private final Duration rotation;
    private final HlsToken tokens;
    private volatile SharedSecret secret;
    private ScheduledFuture<?> refresh;

    private SharedTokenKey(StateStore store, Duration rotation, SharedSecret secret) {
        this.store = store;
        this.rotation = rotation;
        this.secret = secret;
        this.tokens = new HlsToken(secret.current(), secret.accepted());
    }

    /** Reads (or creates) the shared key; waits up to {@code wait}: for start-up only, never on an event loop. */
    public static SharedTokenKey load(StateStore store, Duration rotation, Duration wait) throws Exception {
        SharedSecret s = store.sharedSecret(NAME, rotation).toCompletableFuture()
                .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        log.atInfo().addKeyValue("rotatedAt", s.rotatedAt()).addKeyValue("rotation", rotation)
                .log("HLS token key shared through the state store");
        return new SharedTokenKey(store, rotation, s);
    }

    /** The signer/verifier that follows the shared key. */
    public HlsToken tokens() {
        return tokens;
    }

    /** How often the key is re-read. */
    public Duration refreshEvery() {
        Duration quarter = rotation.dividedBy(4);
        return quarter.compareTo(MAX_REFRESH) < 0 ? quarter : MAX_REFRESH;
    }

    /** Re-reads the key periodically on {@code executor}; the read is asynchronous, nothing blocks there. */
    public void scheduleRefresh(EventExecutor executor) {
        long every = Math.max(1, refreshEvery().toMillis());
        refresh = executor.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    /** One asynchronous re-read; a failure keeps the keys in use (the store may be unreachable for a while). */
    public void refresh() {
        store.sharedSecret(NAME, rotation).whenComplete((s, err) -> {
            if (err != null) {
                log.atWarn().log("cannot re-read the shared HLS token key, keeping the current one: {}",
                        err.toString());
                return;
            }
            if (!s.equals(secret)) {
                secret = s;
                tokens.rekey(s.current(), s.accepted());
                log.atInfo().addKeyValue("rotatedAt", s.rotatedAt()).log("HLS token key rotated");
            }
        });
    }

    @Override
    public void close() {
        if (refresh != null) {
            refresh.cancel(false);
        }
    }
}

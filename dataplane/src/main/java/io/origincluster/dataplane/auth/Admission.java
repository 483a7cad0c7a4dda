package io.origincluster.dataplane.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one access check of the proxy: every protocol calls {@link #admit} once per new client session, after it
 * knows the stream key and before its first {@code connect} to the routing core, and answers a refusal
 * ({@link AccessDenied}) in its own way. Origin moves of a live session do not come here again.
 */
public final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    /** Everyone may publish and play ({@code PROXY_AUTH=off}). */
    public static final Admission OPEN = new Admission(AccessGate.OPEN, null, null);

    private final AccessGate gate;
    private final StreamTokens tokens;
    private final PublisherLeases leases;

    /**
     * @param tokens what signs and checks stream tokens ({@code PROXY_AUTH_SECRET}); null when no secret is set
     * @param leases one publisher per stream; null when any number may publish
     */
    public Admission(AccessGate gate, StreamTokens tokens, PublisherLeases leases) {
        this.gate = gate;
        this.tokens = tokens;
        this.leases = leases;
    }

    /** The publisher leases, when publishing is exclusive. */
    public java.util.Optional<PublisherLeases> leases() {
        return java.util.Optional.ofNullable(leases);
    }

    /** The proxy's {@code PROXY_AUTH_SECRET} tokens, for minting; empty when no secret is set. */
    public java.util.Optional<StreamTokens> tokens() {
        return java.util.Optional.ofNullable(tokens);
    }

    /** Completes with the admitted session's handle, or fails with {@link AccessDenied}; never blocks. */
    public CompletionStage<Admitted> admit(AccessRequest r) {
        CompletionStage<Void> checked;
        try {
            checked = gate.check(r);
        } catch (RuntimeException e) {
            checked = CompletableFuture.failedFuture(e);
        }
        CompletionStage<Admitted> held = checked.thenCompose(v -> r.action() == Action.PUBLISH && leases != null
                ? leases.acquire(r.key()) : CompletableFuture.completedFuture(Admitted.NOTHING_HELD));
        return held.handle((a, err) -> {
            if (err == null) {
                return a;
            }
            AccessDenied d = AccessDenied.of(err);
            if (d == null) {
                d = new AccessDenied(AccessDenied.Status.UNAVAILABLE, "access check failed: " + err);
            }
            log.atInfo().addKeyValue("key", r.key()).addKeyValue("protocol", r.protocol())
                    .addKeyValue("action", r.action().wireName()).addKeyValue("ip", r.ip())
                    .addKeyValue("status", d.status().code).log("session refused: {}", d.getMessage());
            throw d;
        });
    }
}

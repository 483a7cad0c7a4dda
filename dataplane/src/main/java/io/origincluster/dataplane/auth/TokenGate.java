package io.origincluster.dataplane.auth;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code PROXY_AUTH=token}: the session's token must be authentic, unexpired, for its action and its stream. */
public final class TokenGate implements AccessGate {

    private final StreamTokens tokens;
    private final Clock clock;

    public TokenGate(StreamTokens tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Void> check(AccessRequest r) {
        String token = r.token();
        if (token == null) {
            return CompletableFuture.failedFuture(new AccessDenied(AccessDenied.Status.UNAUTHORIZED,
                    "a token is required (?token= on the stream URL)"));
        }
        try {
            StreamTokens.Grant g = tokens.verify(token, clock.instant());
            if (g.action() != r.action()) {
                throw new AccessDenied(AccessDenied.Status.FORBIDDEN, "token is for " + g.action().wireName()
                        + ", not " + r.action().wireName());
            }
            if (!g.covers(r.key())) {
                throw new AccessDenied(AccessDenied.Status.FORBIDDEN, "token does not cover " + r.key());
            }
            return CompletableFuture.completedFuture(null);
        } catch (AccessDenied d) {
            return CompletableFuture.failedFuture(d);
        }
    }
}

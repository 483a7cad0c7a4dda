package io.origincluster.dataplane.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who may publish or play: one implementation per {@code PROXY_AUTH} mode. The answer completes normally to allow
 * and with {@link AccessDenied} to refuse; it must never block the caller (an event loop).
 */
public interface AccessGate {

    AccessGate OPEN = r -> CompletableFuture.completedFuture(null);

    CompletionStage<Void> check(AccessRequest request);
}

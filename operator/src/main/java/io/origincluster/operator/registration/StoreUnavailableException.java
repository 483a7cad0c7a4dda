package io.origincluster.operator.registration;

/** The state store did not answer or failed; surfaces as the Degraded condition, reason RedisUnavailable. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

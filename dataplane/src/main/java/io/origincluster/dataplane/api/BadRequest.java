package io.origincluster.dataplane.api;

/** A client error found before any origin is asked. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message, null, false, false);
    }
}

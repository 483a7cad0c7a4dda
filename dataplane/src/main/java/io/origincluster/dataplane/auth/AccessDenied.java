package io.origincluster.dataplane.auth;

/**
 * A refused session. {@link #status} is the HTTP status the refusal corresponds to; each protocol turns it into
 * its own answer (RTMP status codes, HTTP and RTSP statuses, SRT rejection reason 1000 + status).
 */
public final class AccessDenied extends RuntimeException {

    /** 401: no credential; 403: a credential that does not allow this; 409: the stream has a publisher; 503. */
    public enum Status {
        UNAUTHORIZED(401, "Unauthorized"), FORBIDDEN(403, "Forbidden"), CONFLICT(409, "Conflict"),
        UNAVAILABLE(503, "Service Unavailable");

        public final int code;
        public final String phrase;

        Status(int code, String phrase) {
            this.code = code;
            this.phrase = phrase;
        }
    }

    private final Status status;

    public AccessDenied(Status status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** The AccessDenied behind a future's failure, or null when it failed for another reason. */
    public static AccessDenied of(Throwable t) {
        while (t != null) {
            if (t instanceof AccessDenied d) {
                return d;
            }
            t = t.getCause();
        }
        return null;
    }
}

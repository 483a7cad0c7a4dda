package io.origincluster.dataplane.srt;

/** A connection request the proxy refuses with an SRT rejection reason (see {@link SrtReject}). */
public final class SrtRejectException extends Exception {

    private final int reason;

    public SrtRejectException(int reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public int reason() {
        return reason;
    }
}

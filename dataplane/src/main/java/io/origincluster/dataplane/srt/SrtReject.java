package io.origincluster.dataplane.srt;

/**
 * Rejection reasons a listener puts in the handshake type field of its answer (wire value = 1000 + reason, see
 * SRT's {@code URQ_FAILURE_TYPES}). Core reasons are below 1000; the access-control ({@code SRT_REJX_*}) reasons
 * mirror HTTP status codes plus 1000, so a caller prints e.g. "1503" for an unavailable service.
 */
public final class SrtReject {

    public static final int FAILURE_TYPES = 1000;

    public static final int PEER = 2;
    public static final int RESOURCE = 3;
    public static final int ROGUE = 4;
    public static final int VERSION = 8;
    public static final int TIMEOUT = 16;

    public static final int BAD_REQUEST = 1400;
    public static final int UNAUTHORIZED = 1401;
    public static final int OVERLOAD = 1402;
    public static final int FORBIDDEN = 1403;
    public static final int NOT_FOUND = 1404;
    public static final int BAD_MODE = 1405;
    public static final int CONFLICT = 1409;
    public static final int GATEWAY = 1502;
    public static final int UNAVAILABLE = 1503;

    private SrtReject() {
    }

    public static int toHandshakeType(int reason) {
        return FAILURE_TYPES + reason;
    }

    /** True for handshake type values that carry a rejection (unsigned compare: conclusion is 0xFFFFFFFF). */
    public static boolean isRejection(int handshakeType) {
        return handshakeType >= FAILURE_TYPES;
    }

    public static int reasonOf(int handshakeType) {
        return handshakeType - FAILURE_TYPES;
    }
}

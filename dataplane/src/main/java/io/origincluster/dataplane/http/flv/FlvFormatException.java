package io.origincluster.dataplane.http.flv;

/** The bytes are not an FLV stream (or break one of its limits); the stream cannot be relayed further. */
public final class FlvFormatException extends Exception {

    public FlvFormatException(String message) {
        super(message, null, false, false);
    }
}

package io.origincluster.dataplane.http.ts;

/** The bytes are not an MPEG-TS stream of 188-byte packets; the stream cannot be relayed further. */
public final class TsFormatException extends Exception {

    public TsFormatException(String message) {
        super(message, null, false, false);
    }
}

package io.origincluster.dataplane.srt;

/**
 * A datagram that is not a well-formed SRT packet of the kind expected. Checked on purpose: the relay must turn
 * it into a counted drop, never let it escape the read loop.
 */
public final class MalformedSrtPacketException extends Exception {

    public MalformedSrtPacketException(String message) {
        super(message, null, false, false);
    }
}

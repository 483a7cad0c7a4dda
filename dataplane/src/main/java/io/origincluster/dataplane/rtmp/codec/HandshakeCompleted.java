package io.origincluster.dataplane.rtmp.codec;

/** User event fired once a handshake handler has finished and removed itself; RTMP chunks follow. */
public final class HandshakeCompleted {
    public static final HandshakeCompleted INSTANCE = new HandshakeCompleted();

    private HandshakeCompleted() {
    }
}

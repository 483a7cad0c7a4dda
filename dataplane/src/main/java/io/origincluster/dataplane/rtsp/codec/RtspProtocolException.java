package io.origincluster.dataplane.rtsp.codec;

import io.netty.handler.codec.DecoderException;

/** Input that is not RTSP, or RTSP over the proxy's bounds: the session that sent it is closed. */
public final class RtspProtocolException extends DecoderException {
    public RtspProtocolException(String message) {
        super(message);
    }
}

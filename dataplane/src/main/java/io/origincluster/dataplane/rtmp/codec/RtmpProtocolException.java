package io.origincluster.dataplane.rtmp.codec;

import io.netty.handler.codec.DecoderException;

/** The peer broke the RTMP protocol or a configured bound; the session is closed, never repaired. */
public class RtmpProtocolException extends DecoderException {
    public RtmpProtocolException(String message) {
        super(message);
    }
}

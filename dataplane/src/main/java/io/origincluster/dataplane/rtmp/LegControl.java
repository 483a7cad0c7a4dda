package io.origincluster.dataplane.rtmp;

import io.netty.channel.Channel;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;

/**
 * The protocol-control state of one connection (client or origin leg). The proxy terminates each leg: it
 * acknowledges what it reads per the window size that leg's peer announced, consumes the peer's acknowledgements,
 * answers pings, and never passes these messages to the other leg, where they would describe the wrong connection.
 */
final class LegControl {

    private final Channel channel;
    private final ChunkDecoder decoder;
    private long peerWindow;
    private long lastAcked;

    LegControl(Channel channel, ChunkDecoder decoder) {
        this.channel = channel;
        this.decoder = decoder;
    }

    /**
     * Before the relay starts, a leg only cares about commands: protocol control is consumed here, other messages
     * are dropped, a command is decoded. Always releases {@code m}; null when it carried no command.
     */
    RtmpCommand setupCommand(RtmpMessage m) {
        if (m.isProtocolControl()) {
            if (!consume(m)) {
                m.release();
            }
            return null;
        }
        if (!m.isCommand()) {
            m.release();
            return null;
        }
        try {
            return RtmpCommand.decode(m);
        } finally {
            m.release();
        }
    }

    /**
     * Handles a protocol control or ping message read from this leg and releases it. Returns false (not
     * releasing) for user control events that concern a media stream and may need to cross to the other leg.
     */
    boolean consume(RtmpMessage m) {
        switch (m.type()) {
            case RtmpMessage.WINDOW_ACK_SIZE -> peerWindow = ControlMessages.readUInt32(m);
            case RtmpMessage.USER_CONTROL -> {
                int event = ControlMessages.userControlEvent(m);
                if (event == ControlMessages.PING_REQUEST && m.payload().readableBytes() >= 6) {
                    int value = m.payload().getInt(m.payload().readerIndex() + 2);
                    channel.writeAndFlush(ControlMessages.userControl(channel.alloc(), ControlMessages.PING_RESPONSE, value),
                            channel.voidPromise());
                } else if (event != ControlMessages.PING_RESPONSE && event >= 0) {
                    return false;
                }
            }
            default -> {
                // set chunk size and abort were applied by the decoder; acks and peer bandwidth describe this leg
            }
        }
        m.release();
        return true;
    }

    /** Sends an acknowledgement when the peer's window has been read since the last one; call per read batch. */
    void acknowledge() {
        if (peerWindow <= 0) {
            return;
        }
        long read = decoder.bytesRead();
        if (read - lastAcked >= peerWindow) {
            lastAcked = read;
            channel.writeAndFlush(ControlMessages.ack(channel.alloc(), read), channel.voidPromise());
        }
    }
}

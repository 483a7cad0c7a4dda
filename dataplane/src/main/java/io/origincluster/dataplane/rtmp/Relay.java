package io.origincluster.dataplane.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.rtmp.codec.RtmpProtocolException;

/**
 * Moves messages between a client and its origin once both are set up. Both channels share one event loop and
 * have auto-read off: a side is read again only when the other side is writable, so a slow reader stalls only
 * its own origin connection and never grows the proxy's buffers past the write-buffer high-water mark. Messages
 * are forwarded as they were decoded (payload slices, no copies); only the message stream id is mapped and
 * protocol control stays on its own leg. The encoders re-chunk with each leg's own chunk size.
 */
final class Relay {

    private final ClientSession session;
    private final Channel client;
    private final Channel origin;
    private final LegControl clientControl;
    private final LegControl originControl;
    private final int clientStreamId;
    private final int originStreamId;
    private long lastActivityNanos = System.nanoTime();

    Relay(ClientSession session, Channel client, LegControl clientControl, OriginLeg leg, int clientStreamId) {
        this.session = session;
        this.client = client;
        this.origin = leg.channel();
        this.clientControl = clientControl;
        this.originControl = leg.control();
        this.clientStreamId = clientStreamId;
        this.originStreamId = leg.streamId();
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    void fromClient(RtmpMessage m) {
        forward(m, clientControl, origin, clientStreamId, originStreamId);
    }

    void fromOrigin(RtmpMessage m) {
        forward(m, originControl, client, originStreamId, clientStreamId);
    }

    private void forward(RtmpMessage m, LegControl control, Channel to, int fromSid, int toSid) {
        if (m.isProtocolControl()) {
            if (control.consume(m)) {
                return;
            }
            mapUserControlStream(m.payload(), fromSid, toSid);
        } else if (m.type() == RtmpMessage.COMMAND_AMF0 && fromSid != toSid && isDeleteStream(m)) {
            RtmpMessage mapped = Replies.call(to.alloc(), "deleteStream", 0, 0, (double) toSid);
            m.release();
            to.write(mapped, to.voidPromise());
            return;
        }
        to.write(fromSid != toSid && m.streamId() == fromSid ? m.withStreamId(toSid) : m, to.voidPromise());
    }

    /** Stream begin/EOF/dry/buffer length/recorded name a message stream in bytes 2-5 of the event. */
    private static void mapUserControlStream(ByteBuf p, int fromSid, int toSid) {
        int at = p.readerIndex() + 2;
        if (fromSid != toSid && p.readableBytes() >= 6 && p.getInt(at) == fromSid) {
            p.setInt(at, toSid);
        }
    }

    private static boolean isDeleteStream(RtmpMessage m) {
        try {
            return "deleteStream".equals(RtmpCommand.decode(m).name());
        } catch (RtmpProtocolException e) {
            return false;
        }
    }

    /** After a read batch from {@code from}: flush to the other side, acknowledge, and read on only if it keeps up. */
    void readComplete(Channel from) {
        lastActivityNanos = System.nanoTime();
        Channel to = from == client ? origin : client;
        (from == client ? clientControl : originControl).acknowledge();
        to.flush();
        if (to.isWritable()) {
            from.read();
        }
    }

    void writabilityChanged(Channel ch) {
        if (ch.isWritable()) {
            (ch == client ? origin : client).read();
        }
    }

    void start() {
        client.flush();
        origin.flush();
        client.read();
        origin.read();
    }

    void closed(Channel ch, Throwable cause) {
        if (ch == client) {
            session.end("client closed", cause);
        } else {
            // an origin dropping a live stream is worth a warning even when it closed without an error
            session.end("origin closed", cause != null ? cause : new java.io.IOException("origin closed"));
        }
    }
}

package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An RTMP command message (connect, createStream, publish, play, _result, onStatus, ...): name, transaction id,
 * command object (often null) and further arguments. Decodes type 20 (AMF0) and type 17 (AMF3-wrapped: a format
 * byte, then AMF0 values that may switch to AMF3 per value); always encodes as type 20.
 */
public record RtmpCommand(String name, double transactionId, Object commandObject, List<Object> args) {

    public RtmpCommand {
        args = args == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(args));
    }

    public static RtmpCommand of(String name, double transactionId, Object commandObject, Object... args) {
        return new RtmpCommand(name, transactionId, commandObject, Arrays.asList(args));
    }

    /** Decodes without consuming the message's payload. */
    public static RtmpCommand decode(RtmpMessage m) {
        if (!m.isCommand()) {
            throw new IllegalArgumentException("message type " + m.type() + " is not a command");
        }
        ByteBuf in = m.payload().duplicate();
        if (m.type() == RtmpMessage.COMMAND_AMF3 && in.isReadable()) {
            in.skipBytes(1);
        }
        Object name = Amf0.decode(in);
        if (!(name instanceof String s)) {
            throw new RtmpProtocolException("command name is not a string");
        }
        double tid = 0;
        Object cmdObject = null;
        if (in.isReadable()) {
            Object t = Amf0.decode(in);
            if (!(t instanceof Double d)) {
                throw new RtmpProtocolException("command " + s + " has no numeric transaction id");
            }
            tid = d;
        }
        if (in.isReadable()) {
            cmdObject = Amf0.decode(in);
        }
        return new RtmpCommand(s, tid, cmdObject, Amf0.decodeAll(in));
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(128);
        Amf0.encode(out, name);
        Amf0.encode(out, transactionId);
        Amf0.encode(out, commandObject);
        Amf0.encodeAll(out, args);
        return out;
    }

    public RtmpMessage toMessage(ByteBufAllocator alloc, int chunkStreamId, int streamId) {
        return new RtmpMessage(chunkStreamId, RtmpMessage.COMMAND_AMF0, 0, streamId, encode(alloc));
    }

    /** The command object as properties (empty when it is not an object). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> properties() {
        return commandObject instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Argument {@code i} (after the command object) as a string, or null. */
    public String stringArg(int i) {
        return i < args.size() && args.get(i) instanceof String s ? s : null;
    }

    /** The first argument that is an object, e.g. the info object of onStatus/_result. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> info() {
        for (Object a : args) {
            if (a instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
        return Map.of();
    }
}

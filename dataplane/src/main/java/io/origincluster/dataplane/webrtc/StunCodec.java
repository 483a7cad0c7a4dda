package io.origincluster.dataplane.webrtc;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Just enough STUN (RFC 5389) to route ICE: classifies a datagram by its first byte (RFC 7983) and pulls the
 * USERNAME out of a binding request. Every read is bounds-checked against the datagram, so a malformed or
 * truncated packet yields {@code null}, never an exception. Nothing is allocated unless a username is found.
 */
public final class StunCodec {

    static final int HEADER = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int BINDING_REQUEST = 0x0001;
    static final int ATTR_USERNAME = 0x0006;
    /** RFC 5389 15.3: the username is less than 513 bytes. */
    static final int MAX_USERNAME = 512;

    private StunCodec() {
    }

    /** RFC 7983 demultiplexing: first byte 0..3 is STUN (DTLS is 20..63, RTP/RTCP 128..191). */
    public static boolean looksLikeStun(ByteBuf datagram) {
        return datagram.readableBytes() >= 1 && (datagram.getUnsignedByte(datagram.readerIndex()) & 0xFC) == 0;
    }

    /**
     * The USERNAME ({@code "<answer ufrag>:<offer ufrag>"}) of a well-formed binding request, or {@code null}
     * for anything else: short header, wrong cookie, length field disagreeing with the datagram, an attribute
     * running past the end, or a username that is empty, too long, not printable ASCII or without a colon.
     * Reads without moving the buffer's indexes.
     */
    public static String bindingRequestUsername(ByteBuf datagram) {
        int start = datagram.readerIndex();
        int len = datagram.readableBytes();
        if (len < HEADER || !looksLikeStun(datagram)) {
            return null;
        }
        int type = datagram.getUnsignedShort(start);
        int bodyLength = datagram.getUnsignedShort(start + 2);
        if (type != BINDING_REQUEST || datagram.getInt(start + 4) != MAGIC_COOKIE
                || (bodyLength & 3) != 0 || bodyLength != len - HEADER) {
            return null;
        }
        int pos = start + HEADER;
        int end = start + len;
        while (pos < end) {
            if (end - pos < 4) {
                return null;
            }
            int attrType = datagram.getUnsignedShort(pos);
            int attrLen = datagram.getUnsignedShort(pos + 2);
            int valueStart = pos + 4;
            int padded = (attrLen + 3) & ~3;
            if (padded > end - valueStart) {
                return null;
            }
            if (attrType == ATTR_USERNAME) {
                return username(datagram, valueStart, attrLen);
            }
            pos = valueStart + padded;
        }
        return null;
    }

    private static String username(ByteBuf buf, int from, int length) {
        if (length < 3 || length > MAX_USERNAME) {
            return null;
        }
        boolean colon = false;
        for (int i = from; i < from + length; i++) {
            int c = buf.getUnsignedByte(i);
            if (c <= 0x20 || c >= 0x7F) {
                return null;
            }
            colon |= c == ':';
        }
        if (!colon) {
            return null;
        }
        return buf.toString(from, length, StandardCharsets.US_ASCII);
    }
}

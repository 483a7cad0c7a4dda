package io.origincluster.dataplane.webrtc;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

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
    static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
    static final int INTEGRITY_LENGTH = 20;
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

    /**
     * True when the request's MESSAGE-INTEGRITY (RFC 5389 15.4) is the HMAC-SHA1 of the message under {@code mac},
     * which is keyed with the ICE password of the answer (the credential a client signs its checks with). The
     * HMAC covers the message up to that attribute with the length field adjusted to end after it, so attributes
     * after it (FINGERPRINT) are excluded. {@code scratch} must hold the datagram; nothing is allocated.
     * Call only on a datagram {@link #bindingRequestUsername} accepted.
     */
    public static boolean integrityMatches(ByteBuf datagram, Mac mac, byte[] scratch) {
        int start = datagram.readerIndex();
        int end = start + datagram.readableBytes();
        int pos = start + HEADER;
        while (end - pos >= 4) {
            int attrType = datagram.getUnsignedShort(pos);
            int attrLen = datagram.getUnsignedShort(pos + 2);
            int padded = (attrLen + 3) & ~3;
            if (padded > end - pos - 4) {
                return false;
            }
            if (attrType == ATTR_MESSAGE_INTEGRITY) {
                int covered = pos - start;
                if (attrLen != INTEGRITY_LENGTH || covered + INTEGRITY_LENGTH * 2 > scratch.length) {
                    return false;
                }
                datagram.getBytes(start, scratch, 0, covered);
                int adjusted = covered + 4 + INTEGRITY_LENGTH - HEADER;
                scratch[2] = (byte) (adjusted >> 8);
                scratch[3] = (byte) adjusted;
                mac.update(scratch, 0, covered);
                try {
                    mac.doFinal(scratch, covered);
                } catch (javax.crypto.ShortBufferException e) {
                    return false;
                }
                datagram.getBytes(pos + 4, scratch, covered + INTEGRITY_LENGTH, INTEGRITY_LENGTH);
                int diff = 0; // constant time, like MessageDigest.isEqual, without copying
                for (int i = 0; i < INTEGRITY_LENGTH; i++) {
                    diff |= scratch[covered + i] ^ scratch[covered + INTEGRITY_LENGTH + i];
                }
                return diff == 0;
            }
            pos += 4 + padded;
        }
        return false;
    }
}

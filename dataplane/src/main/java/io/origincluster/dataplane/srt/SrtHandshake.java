package io.origincluster.dataplane.srt;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SRT handshake (control type 0): the 48-byte handshake body after the header, then, in an HSv5 conclusion,
 * extension blocks of {@code type u16, length u16 (in 32-bit words), content}. Parsing is strictly bounds-checked
 * and never reads past the datagram; anything inconsistent is a {@link MalformedSrtPacketException}.
 *
 * <p>Offsets below are from the start of the datagram. Extensions are kept as positions into the packet, so the
 * relay can pass them (key material above all) through untouched.
 */
public record SrtHandshake(int version, int encryption, int extensionField, int initialSeq, int mtu, int flowWindow,
                           int type, int socketId, int cookie, List<Extension> extensions, String streamId) {

    public static final int SIZE = 64;
    public static final int VERSION_OFFSET = 16;
    public static final int TYPE_OFFSET = 36;
    public static final int SOCKET_ID_OFFSET = 40;
    public static final int COOKIE_OFFSET = 44;
    public static final int PEER_IP_OFFSET = 48;

    public static final int TYPE_INDUCTION = 1;
    public static final int TYPE_WAVEAHAND = 0;
    public static final int TYPE_CONCLUSION = 0xFFFFFFFF;
    public static final int TYPE_AGREEMENT = 0xFFFFFFFE;

    /** Extension field of a listener's HSv5 induction answer. */
    public static final int SRT_MAGIC = 0x4A17;
    /** Socket type UDT_DGRAM, what a caller puts in the extension field of its induction. */
    public static final int UDT_DGRAM = 2;

    public static final int EXT_HSREQ = 1;
    public static final int EXT_HSRSP = 2;
    public static final int EXT_KMREQ = 3;
    public static final int EXT_KMRSP = 4;
    public static final int EXT_SID = 5;
    public static final int EXT_CONGESTION = 6;
    public static final int EXT_FILTER = 7;
    public static final int EXT_GROUP = 8;

    /** SRT caps the stream id at 512 bytes. */
    public static final int MAX_STREAM_ID = 512;

    /** One extension block: its type and where its content sits in the packet. */
    public record Extension(int type, int contentOffset, int contentLength) {
    }

    public SrtHandshake {
        extensions = List.copyOf(extensions);
    }

    public boolean isInduction() {
        return type == TYPE_INDUCTION;
    }

    public boolean isConclusion() {
        return type == TYPE_CONCLUSION;
    }

    public boolean isRejection() {
        return SrtReject.isRejection(type);
    }

    public boolean hasExtension(int extType) {
        for (Extension e : extensions) {
            if (e.type() == extType) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses the handshake in {@code buf} (reader index at the start of the datagram; not consumed).
     *
     * @throws MalformedSrtPacketException when it is not a handshake, is truncated, or an extension overruns
     */
    public static SrtHandshake parse(ByteBuf buf) throws MalformedSrtPacketException {
        int base = buf.readerIndex();
        int len = buf.readableBytes();
        if (len < SrtPacket.HEADER_SIZE) {
            throw new MalformedSrtPacketException("datagram of " + len + " bytes is shorter than an SRT header");
        }
        if (!SrtPacket.isHandshake(buf)) {
            throw new MalformedSrtPacketException("not a handshake");
        }
        if (len < SIZE) {
            throw new MalformedSrtPacketException("handshake of " + len + " bytes, need " + SIZE);
        }
        int version = buf.getInt(base + VERSION_OFFSET);
        int encryption = buf.getUnsignedShort(base + 20);
        int extField = buf.getUnsignedShort(base + 22);
        int seq = buf.getInt(base + 24);
        int mtu = buf.getInt(base + 28);
        int window = buf.getInt(base + 32);
        int type = buf.getInt(base + TYPE_OFFSET);
        int socketId = buf.getInt(base + SOCKET_ID_OFFSET);
        int cookie = buf.getInt(base + COOKIE_OFFSET);
        List<Extension> exts = List.of();
        String streamId = null;
        // Only an HSv5 conclusion carries extension blocks; bytes after other handshakes are ignored.
        if (version >= 5 && type == TYPE_CONCLUSION && len > SIZE) {
            exts = new ArrayList<>(4);
            int pos = base + SIZE;
            int end = base + len;
            while (pos < end) {
                if (end - pos < 4) {
                    throw new MalformedSrtPacketException("truncated extension header at byte " + (pos - base));
                }
                int extType = buf.getUnsignedShort(pos);
                int words = buf.getUnsignedShort(pos + 2);
                int bytes = words * 4;
                if (bytes > end - pos - 4) {
                    throw new MalformedSrtPacketException("extension " + extType + " of " + bytes
                            + " bytes overruns the datagram");
                }
                Extension e = new Extension(extType, pos + 4 - base, bytes);
                if (extType == EXT_SID) {
                    if (streamId != null) {
                        throw new MalformedSrtPacketException("two stream id extensions");
                    }
                    streamId = decodeStreamId(buf, pos + 4, bytes);
                }
                exts.add(e);
                pos += 4 + bytes;
            }
        }
        return new SrtHandshake(version, encryption, extField, seq, mtu, window, type, socketId, cookie, exts,
                streamId);
    }

    /** The SID content is 32-bit words in little-endian order, padded with NULs at the end. */
    static String decodeStreamId(ByteBuf buf, int offset, int bytes) throws MalformedSrtPacketException {
        if (bytes > MAX_STREAM_ID) {
            throw new MalformedSrtPacketException("stream id of " + bytes + " bytes exceeds " + MAX_STREAM_ID);
        }
        byte[] out = new byte[bytes];
        for (int w = 0; w < bytes; w += 4) {
            for (int i = 0; i < 4; i++) {
                out[w + i] = buf.getByte(offset + w + 3 - i);
            }
        }
        int n = bytes;
        while (n > 0 && out[n - 1] == 0) {
            n--;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Encodes {@code streamId} as a SID extension block (header included), for tests and tools. */
    public static void writeStreamIdExtension(ByteBuf out, String streamId) {
        byte[] raw = streamId.getBytes(StandardCharsets.UTF_8);
        int words = (raw.length + 3) / 4;
        out.writeShort(EXT_SID);
        out.writeShort(words);
        for (int w = 0; w < words * 4; w += 4) {
            for (int i = 3; i >= 0; i--) {
                int idx = w + i;
                out.writeByte(idx < raw.length ? raw[idx] : 0);
            }
        }
    }

    /**
     * Writes a 64-byte handshake without extensions. {@code peerIp} is the address of the receiver as the sender
     * sees it (SRT's "peer IP"), or null for zeros.
     */
    public static void write(ByteBuf out, int timestamp, int dest, int version, int encryption, int extField,
                             int seq, int mtu, int window, int type, int socketId, int cookie, InetAddress peerIp) {
        SrtPacket.writeControlHeader(out, SrtPacket.TYPE_HANDSHAKE, 0, 0, timestamp, dest);
        out.writeInt(version);
        out.writeShort(encryption);
        out.writeShort(extField);
        out.writeInt(seq);
        out.writeInt(mtu);
        out.writeInt(window);
        out.writeInt(type);
        out.writeInt(socketId);
        out.writeInt(cookie);
        int ipAt = out.writerIndex();
        out.writeZero(16);
        if (peerIp != null) {
            setPeerIp(out, ipAt - PEER_IP_OFFSET, peerIp);
        }
    }

    public static void setSocketId(ByteBuf buf, int socketId) {
        buf.setInt(buf.readerIndex() + SOCKET_ID_OFFSET, socketId);
    }

    public static void setCookie(ByteBuf buf, int cookie) {
        buf.setInt(buf.readerIndex() + COOKIE_OFFSET, cookie);
    }

    public static void setType(ByteBuf buf, int type) {
        buf.setInt(buf.readerIndex() + TYPE_OFFSET, type);
    }

    public static void setPeerIp(ByteBuf buf, InetAddress ip) {
        setPeerIp(buf, buf.readerIndex(), ip);
    }

    /** libsrt writes each 32-bit word of the address in host (little-endian) order: 127.0.0.1 is 01 00 00 7f. */
    private static void setPeerIp(ByteBuf buf, int base, InetAddress ip) {
        byte[] a = ip.getAddress();
        int at = base + PEER_IP_OFFSET;
        buf.setZero(at, 16);
        for (int w = 0; w < a.length; w += 4) {
            for (int i = 0; i < 4; i++) {
                buf.setByte(at + w + i, a[w + 3 - i]);
            }
        }
    }

    /** The peer IP field decoded back into an address (IPv4 when the last three words are zero). */
    public static InetAddress peerIp(ByteBuf buf) {
        int at = buf.readerIndex() + PEER_IP_OFFSET;
        byte[] a = new byte[16];
        for (int w = 0; w < 16; w += 4) {
            for (int i = 0; i < 4; i++) {
                a[w + i] = buf.getByte(at + w + 3 - i);
            }
        }
        boolean v4 = true;
        for (int i = 4; i < 16; i++) {
            v4 &= a[i] == 0;
        }
        try {
            return InetAddress.getByAddress(v4 ? java.util.Arrays.copyOf(a, 4) : a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

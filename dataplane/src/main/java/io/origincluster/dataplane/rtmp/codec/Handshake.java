package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The RTMP handshake, both forms. Simple: S1 is random with a zero version, S2 echoes C1. Digest ("complex", what
 * Flash Player and some encoders insist on): C1 carries an HMAC-SHA256 digest at an offset derived from either
 * its first or its second 764-byte block; when it validates, S1 carries a digest in the same scheme (keyed with
 * the server key) and S2 ends with a digest of itself keyed by a hash of C1's digest. A C1 whose digest does not
 * validate in either scheme gets the simple answer, which every non-Flash client accepts.
 */
public final class Handshake {

    public static final int VERSION = 3;
    public static final int PACKET = 1536;
    private static final int DIGEST = 32;
    private static final int BLOCK = 764;

    private static final byte[] SHARED_TAIL = {
            (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
            (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
            (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
            (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE};
    private static final byte[] PLAYER_KEY = concat("Genuine Adobe Flash Player 001", SHARED_TAIL);
    private static final byte[] SERVER_KEY = concat("Genuine Adobe Flash Media Server 001", SHARED_TAIL);
    private static final int PLAYER_KEY_TEXT = 30;
    private static final int SERVER_KEY_TEXT = 36;
    private static final byte[] SERVER_VERSION = {0x0D, 0x0E, 0x0A, 0x0D};
    private static final byte[] CLIENT_VERSION = {(byte) 0x80, 0x00, 0x07, 0x02};

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a C1/S1 keeps its digest: scheme 0 = digest block second (offset 772), scheme 1 = first (offset 8). */
    public enum Scheme { SIMPLE, DIGEST_SECOND, DIGEST_FIRST }

    private Handshake() {
    }

    /**
     * S0+S1+S2 (3073 bytes) for a client's C0+C1 (1537 readable bytes, consumed).
     *
     * @throws RtmpProtocolException when C0 asks for a version other than 3 (e.g. 6, RTMPE)
     */
    public static ByteBuf serverReply(ByteBufAllocator alloc, ByteBuf c0c1) {
        return serverReply(alloc, c0c1, null);
    }

    /** As {@link #serverReply(ByteBufAllocator, ByteBuf)}, reporting which form the client used. */
    public static ByteBuf serverReply(ByteBufAllocator alloc, ByteBuf c0c1, java.util.function.Consumer<Scheme> seen) {
        if (c0c1.readableBytes() < 1 + PACKET) {
            throw new RtmpProtocolException("C0+C1 needs " + (1 + PACKET) + " bytes");
        }
        int version = c0c1.readUnsignedByte();
        if (version != VERSION) {
            throw new RtmpProtocolException("unsupported RTMP version " + version);
        }
        byte[] c1 = new byte[PACKET];
        c0c1.readBytes(c1);
        Scheme scheme = detect(c1, PLAYER_KEY, PLAYER_KEY_TEXT);
        if (seen != null) {
            seen.accept(scheme);
        }
        byte[] s1 = random(PACKET);
        byte[] s2;
        Arrays.fill(s1, 0, 4, (byte) 0);
        if (scheme == Scheme.SIMPLE) {
            Arrays.fill(s1, 4, 8, (byte) 0);
            s2 = c1;
        } else {
            System.arraycopy(SERVER_VERSION, 0, s1, 4, 4);
            sign(s1, scheme, SERVER_KEY, SERVER_KEY_TEXT);
            s2 = random(PACKET);
            byte[] key = hmac(SERVER_KEY, SERVER_KEY.length, digestOf(c1, scheme));
            signResponse(s2, key);
        }
        ByteBuf out = alloc.buffer(1 + 2 * PACKET);
        out.writeByte(VERSION).writeBytes(s1).writeBytes(s2);
        return out;
    }

    /** C0+C1 of a simple-handshake client (time and version zero, random body). */
    public static ByteBuf clientHello(ByteBufAllocator alloc) {
        byte[] c1 = random(PACKET);
        Arrays.fill(c1, 0, 8, (byte) 0);
        return alloc.buffer(1 + PACKET).writeByte(VERSION).writeBytes(c1);
    }

    /** C1 of a digest-handshake client (as Flash Player sends it), for clients and tests that need one. */
    public static byte[] digestClientC1(Scheme scheme) {
        if (scheme == Scheme.SIMPLE) {
            throw new IllegalArgumentException("a digest C1 needs a digest scheme");
        }
        byte[] c1 = random(PACKET);
        Arrays.fill(c1, 0, 4, (byte) 0);
        System.arraycopy(CLIENT_VERSION, 0, c1, 4, 4);
        sign(c1, scheme, PLAYER_KEY, PLAYER_KEY_TEXT);
        return c1;
    }

    /** True when {@code s1} carries a valid server digest in {@code scheme}. */
    public static boolean validServerS1(byte[] s1, Scheme scheme) {
        return scheme != Scheme.SIMPLE && validDigest(s1, scheme, SERVER_KEY, SERVER_KEY_TEXT);
    }

    /** True when {@code s2} ends with the digest a digest-handshake server must compute for {@code c1}. */
    public static boolean validServerS2(byte[] s2, byte[] c1, Scheme scheme) {
        byte[] key = hmac(SERVER_KEY, SERVER_KEY.length, digestOf(c1, scheme));
        byte[] expected = hmac(key, DIGEST, Arrays.copyOf(s2, PACKET - DIGEST));
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(s2, PACKET - DIGEST, PACKET));
    }

    /** Which scheme a client's C1 uses; SIMPLE when its version is zero or neither digest validates. */
    public static Scheme detectClient(byte[] c1) {
        return detect(c1, PLAYER_KEY, PLAYER_KEY_TEXT);
    }

    private static Scheme detect(byte[] c1, byte[] key, int keyLength) {
        if (c1.length != PACKET || (c1[4] | c1[5] | c1[6] | c1[7]) == 0) {
            return Scheme.SIMPLE;
        }
        if (validDigest(c1, Scheme.DIGEST_SECOND, key, keyLength)) {
            return Scheme.DIGEST_SECOND;
        }
        if (validDigest(c1, Scheme.DIGEST_FIRST, key, keyLength)) {
            return Scheme.DIGEST_FIRST;
        }
        return Scheme.SIMPLE;
    }

    static int digestOffset(byte[] packet, Scheme scheme) {
        int block = scheme == Scheme.DIGEST_FIRST ? 8 : 8 + BLOCK;
        int sum = (packet[block] & 0xFF) + (packet[block + 1] & 0xFF) + (packet[block + 2] & 0xFF)
                + (packet[block + 3] & 0xFF);
        return block + 4 + sum % (BLOCK - DIGEST - 4);
    }

    private static boolean validDigest(byte[] packet, Scheme scheme, byte[] key, int keyLength) {
        int at = digestOffset(packet, scheme);
        byte[] expected = hmac(key, keyLength, withoutDigest(packet, at));
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, at, at + DIGEST));
    }

    private static void sign(byte[] packet, Scheme scheme, byte[] key, int keyLength) {
        int at = digestOffset(packet, scheme);
        System.arraycopy(hmac(key, keyLength, withoutDigest(packet, at)), 0, packet, at, DIGEST);
    }

    private static void signResponse(byte[] packet, byte[] key) {
        byte[] d = hmac(key, DIGEST, Arrays.copyOf(packet, PACKET - DIGEST));
        System.arraycopy(d, 0, packet, PACKET - DIGEST, DIGEST);
    }

    private static byte[] digestOf(byte[] packet, Scheme scheme) {
        int at = digestOffset(packet, scheme);
        return Arrays.copyOfRange(packet, at, at + DIGEST);
    }

    private static byte[] withoutDigest(byte[] packet, int at) {
        byte[] rest = new byte[PACKET - DIGEST];
        System.arraycopy(packet, 0, rest, 0, at);
        System.arraycopy(packet, at + DIGEST, rest, at, PACKET - at - DIGEST);
        return rest;
    }

    private static byte[] hmac(byte[] key, int keyLength, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, 0, keyLength, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] concat(String text, byte[] tail) {
        byte[] a = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(a, a.length + tail.length);
        System.arraycopy(tail, 0, out, a.length, tail.length);
        return out;
    }
}

package io.origincluster.dataplane.srt;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless SYN cookies for the induction phase: a keyed hash of the caller's address, port, socket id and a
 * coarse time bucket. Answering an induction therefore stores nothing, so a flood of inductions from any number
 * of fake sockets cannot grow proxy state; only a conclusion carrying a valid cookie (proof that the caller
 * receives at its address) creates a session.
 */
final class SynCookies {

    private static final long BUCKET_NANOS = 30_000_000_000L;

    private final Mac mac;
    private final long origin = System.nanoTime();

    SynCookies() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The cookie for an induction arriving now (never 0: 0 means "no cookie" on the wire). */
    int issue(InetSocketAddress from, int socketId) {
        return cookie(from, socketId, bucket());
    }

    /** Accepts cookies of the current and previous bucket, so one issued just before a rollover stays valid. */
    boolean verify(InetSocketAddress from, int socketId, int cookie) {
        long b = bucket();
        return cookie != 0 && (cookie == cookie(from, socketId, b) || cookie == cookie(from, socketId, b - 1));
    }

    private long bucket() {
        return (System.nanoTime() - origin) / BUCKET_NANOS;
    }

    private int cookie(InetSocketAddress from, int socketId, long bucket) {
        byte[] addr = from.getAddress().getAddress();
        ByteBuffer in = ByteBuffer.allocate(addr.length + 16);
        in.put(addr).putInt(from.getPort()).putInt(socketId).putLong(bucket);
        byte[] h = mac.doFinal(in.array());
        int c = ByteBuffer.wrap(h).getInt();
        return c == 0 ? 1 : c;
    }
}

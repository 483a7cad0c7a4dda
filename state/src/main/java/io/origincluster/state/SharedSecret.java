package io.origincluster.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Key material that every replica sharing a state store agrees on, rotated with overlap. Sign with
 * {@link #current()}; accept {@link #accepted()}: the current key, the next one (so a replica that has already seen
 * a rotation signs with a key every other replica accepts) and the previous one (so what was signed before the last
 * rotation stays valid for one more period).
 *
 * <p>{@code toString()} never shows key material.
 */
public record SharedSecret(byte[] current, byte[] next, byte[] previous, Instant rotatedAt) {

    /** Bytes of every generated key. */
    public static final int KEY_BYTES = 32;

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9-]{1,32}");
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Fails unless {@code name} is a valid secret name ({@code [a-z0-9-]{1,32}}). */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("secret name '" + name + "' must be 1-32 of [a-z0-9-]");
        }
        return name;
    }

    static long checkPeriod(java.time.Duration rotateEvery) {
        if (rotateEvery == null || rotateEvery.toMillis() < 1) {
            throw new IllegalArgumentException("rotation period must be at least 1 ms, got " + rotateEvery);
        }
        return rotateEvery.toMillis();
    }

    /** {@link #KEY_BYTES} fresh random bytes. */
    static byte[] randomKey() {
        byte[] b = new byte[KEY_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    public SharedSecret {
        if (current == null || current.length == 0 || next == null || next.length == 0) {
            throw new IllegalArgumentException("a shared secret needs a current and a next key");
        }
        current = current.clone();
        next = next.clone();
        previous = previous == null || previous.length == 0 ? null : previous.clone();
    }

    @Override
    public byte[] current() {
        return current.clone();
    }

    @Override
    public byte[] next() {
        return next.clone();
    }

    /** The key before the last rotation, or null if there was none. */
    @Override
    public byte[] previous() {
        return previous == null ? null : previous.clone();
    }

    /** Every key a verifier accepts: current, next, and previous when there is one. */
    public List<byte[]> accepted() {
        List<byte[]> out = new ArrayList<>(3);
        out.add(current());
        out.add(next());
        if (previous != null) {
            out.add(previous());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedSecret s && Arrays.equals(current, s.current) && Arrays.equals(next, s.next)
                && Arrays.equals(previous, s.previous) && rotatedAt.equals(s.rotatedAt);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(current) * 31 + rotatedAt.hashCode();
    }

    @Override
    public String toString() {
        return "SharedSecret[rotatedAt=" + rotatedAt + ", keys=******]";
    }
}

package io.origincluster.dataplane.netty;

import java.util.concurrent.ThreadLocalRandom;

/** Short random ids that tie every log line of one session together (7 hex characters, like SRS's cid). */
public final class SessionIds {
    private SessionIds() {
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Built by hand: String.format on every session start was a visible share of a new session's cost. */
    public static String next() {
        int v = ThreadLocalRandom.current().nextInt(0x1000_0000);
        char[] c = new char[7];
        for (int i = 6; i >= 0; i--) {
            c[i] = HEX[v & 0xf];
            v >>>= 4;
        }
        return new String(c);
    }
}

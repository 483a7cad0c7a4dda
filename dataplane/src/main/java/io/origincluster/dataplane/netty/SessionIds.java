package io.origincluster.dataplane.netty;

import java.util.concurrent.ThreadLocalRandom;

/** Short random ids that tie every log line of one session together (7 hex characters, like SRS's cid). */
public final class SessionIds {
    private SessionIds() {
    }

    public static String next() {
        return String.format("%07x", ThreadLocalRandom.current().nextInt(0x1000_0000));
    }
}

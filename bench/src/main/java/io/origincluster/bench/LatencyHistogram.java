package io.origincluster.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free latency histogram in microseconds: exact below 2,048 us, then 1,024 linear sub-buckets per power of
 * two (relative error under 0.1 %), up to 2^40 us. Player threads record into it concurrently; percentiles are
 * read after the measurement window closes.
 */
public final class LatencyHistogram {

    static final int EXACT = 2048;
    static final int SUB = 1024;
    private static final int MAX_EXP = 40;

    private final AtomicLongArray counts = new AtomicLongArray(EXACT + (MAX_EXP - 11) * SUB);

    public void record(long micros) {
        counts.incrementAndGet(index(Math.max(0, micros)));
    }

    static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int e = Math.min(63 - Long.numberOfLeadingZeros(v), MAX_EXP - 1);
        if (e == MAX_EXP - 1 && v >= (1L << MAX_EXP)) {
            return EXACT + (MAX_EXP - 11) * SUB - 1;
        }
        int shift = e - 10;
        return EXACT + (e - 11) * SUB + (int) ((v >> shift) - SUB);
    }

    /** Smallest value that falls in bucket {@code i}. */
    static long lowerBound(int i) {
        if (i < EXACT) {
            return i;
        }
        int k = i - EXACT;
        int e = 11 + k / SUB;
        return (long) (SUB + k % SUB) << (e - 10);
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /**
     * The value at quantile {@code q} (0 < q <= 1): the lower bound of the bucket holding the ceil(q * n)-th
     * smallest sample, or -1 when empty.
     */
    public long percentile(double q) {
        long n = count();
        if (n == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return lowerBound(i);
            }
        }
        return lowerBound(counts.length() - 1);
    }

    public long max() {
        for (int i = counts.length() - 1; i >= 0; i--) {
            if (counts.get(i) > 0) {
                return lowerBound(i);
            }
        }
        return -1;
    }
}

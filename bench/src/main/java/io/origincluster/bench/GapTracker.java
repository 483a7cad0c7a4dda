package io.origincluster.bench;

import java.util.Arrays;

/**
 * One player's view of its stream in the migration scenario: the longest time between two consecutive stamped
 * messages (the stall a player sees), sequence numbers skipped (lost) and sequence numbers that did not advance
 * (duplicates or messages going backwards, e.g. a GOP replayed to a new origin). Counted per window: {@link #take}
 * closes the current window and opens the next. A gap still open when the window closes (nothing arrived since)
 * counts up to that moment, so a player that stopped receiving shows its whole stall. A gap is counted in the
 * window where it ends. Called from the player's event loop and the harness thread, hence synchronized
 * (uncontended: one player, a few dozen messages a second).
 */
final class GapTracker {

    /** What one player saw in one window. {@code longestGapEndNanos} is when that gap ended (System.nanoTime). */
    record Window(long messages, long longestGapNanos, long longestGapEndNanos, long lost, long duplicates) {
    }

    private long lastSeq = -1;
    private long lastNanos = -1;
    private long messages;
    private long longestGap;
    private long longestGapEnd = -1;
    private long lost;
    private long duplicates;

    synchronized void received(long seq, long nowNanos) {
        if (lastNanos >= 0) {
            long gap = nowNanos - lastNanos;
            if (gap > longestGap) {
                longestGap = gap;
                longestGapEnd = nowNanos;
            }
        }
        lastNanos = nowNanos;
        messages++;
        if (lastSeq >= 0) {
            if (seq > lastSeq + 1) {
                lost += seq - lastSeq - 1;
            } else if (seq <= lastSeq) {
                duplicates++;
            }
        }
        if (seq > lastSeq) {
            lastSeq = seq;
        }
    }

    /** Closes the window at {@code nowNanos} and starts the next one from there. */
    synchronized Window take(long nowNanos) {
        long gap = longestGap;
        long end = longestGapEnd;
        if (lastNanos >= 0 && nowNanos - lastNanos > gap) {
            gap = nowNanos - lastNanos; // still waiting: the stall so far
            end = nowNanos;
        }
        Window w = new Window(messages, gap, end, lost, duplicates);
        messages = 0;
        longestGap = 0;
        longestGapEnd = -1;
        lost = 0;
        duplicates = 0;
        return w;
    }

    /**
     * Nearest-rank percentile of {@code values} (0 < q <= 1): the ceil(q * n)-th smallest, or -1 when empty. With
     * 100 players p99 is the second largest, p50 the 50th.
     */
    static long percentile(long[] values, double q) {
        if (values.length == 0) {
            return -1;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.max(1, Math.ceil(q * sorted.length));
        return sorted[Math.min(rank, sorted.length) - 1];
    }
}

package io.origincluster.bench;

import java.util.Arrays;

/**
 * One player's view of its stream in the migration scenario: the longest time between two consecutive stamped
 * messages (the stall a player sees), sequence numbers skipped (lost) and sequence numbers that did not advance
 * (duplicates or messages going backwards, e.g. a GOP replayed to a new origin). Counted per window: {@link #take}
 * closes the current window and opens the next. A gap still open when the window closes (nothing arrived since)
 * counts up to that moment, so a player that stopped receiving shows its whole stall. A gap is counted in the
 * window where it ends. Arrival times are kept per window too (a few hundred per player), so the longest gap in any
 * part of a window can be found afterwards ({@link #longestGap}). Called from the player's event loop and the
 * harness thread, hence synchronized (uncontended: one player, a few dozen messages a second).
 */
final class GapTracker {

    /**
     * What one player saw in one window. {@code longestGapEndNanos} is when that gap ended (System.nanoTime);
     * {@code arrivals} are the arrival times in the window, preceded by the last one before it if there was one;
     * {@code endNanos} is when the window closed.
     */
    record Window(long messages, long longestGapNanos, long longestGapEndNanos, long lost, long duplicates,
                  long[] arrivals, long endNanos) {
    }

    private static final int MAX_ARRIVALS = 1 << 20;

    private long lastSeq = -1;
    private long lastNanos = -1;
    private long messages;
    private long longestGap;
    private long longestGapEnd = -1;
    private long lost;
    private long duplicates;
    private long[] arrivals = new long[256];
    private int arrivalCount;

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
        if (arrivalCount == arrivals.length && arrivals.length < MAX_ARRIVALS) {
            arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
        }
        if (arrivalCount < arrivals.length) {
            arrivals[arrivalCount++] = nowNanos;
        }
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
        Window w = new Window(messages, gap, end, lost, duplicates, Arrays.copyOf(arrivals, arrivalCount), nowNanos);
        arrivalCount = 0;
        if (lastNanos >= 0) {
            arrivals[arrivalCount++] = lastNanos; // the next window's first gap starts here
        }
        messages = 0;
        longestGap = 0;
        longestGapEnd = -1;
        lost = 0;
        duplicates = 0;
        return w;
    }

    /**
     * The longest gap of {@code w} that overlaps {@code [from, to]}: between two consecutive arrivals, or from the
     * last arrival to the window's end (nothing came since). A gap that overlaps counts whole, so a stall that began
     * inside the interval counts with its full length. 0 when there is no arrival at all.
     */
    static long longestGap(Window w, long from, long to) {
        long[] a = w.arrivals();
        long longest = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > from && a[i - 1] < to) {
                longest = Math.max(longest, a[i] - a[i - 1]);
            }
        }
        if (a.length > 0 && a[a.length - 1] < to) {
            longest = Math.max(longest, w.endNanos() - a[a.length - 1]);
        }
        return longest;
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

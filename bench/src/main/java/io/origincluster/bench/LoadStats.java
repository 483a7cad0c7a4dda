package io.origincluster.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters shared by every client connection of one phase. Latencies are recorded only while a measurement
 * window is open, so warm-up and ramp-up do not count.
 */
public final class LoadStats {

    public final LongAdder sentMessages = new LongAdder();
    public final LongAdder sentBytes = new LongAdder();
    public final LongAdder skippedMessages = new LongAdder();
    public final LongAdder receivedMessages = new LongAdder();
    public final LongAdder receivedBytes = new LongAdder();
    public final LongAdder otherMessages = new LongAdder();
    public final LongAdder closed = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> statusesAfterStart = new ConcurrentHashMap<>();
    private volatile LatencyHistogram window;

    /** An onStatus code a client got after its publish or play had started. */
    void statusAfterStart(String code) {
        statusesAfterStart.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /** onStatus codes received after start, with counts. */
    public Map<String, Long> statusesAfterStart() {
        Map<String, Long> out = new TreeMap<>();
        statusesAfterStart.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public void openWindow(LatencyHistogram h) {
        window = h;
    }

    public void closeWindow() {
        window = null;
    }

    void received(int bytes, long sendNanos, long nowNanos) {
        receivedMessages.increment();
        receivedBytes.add(bytes);
        LatencyHistogram h = window;
        if (h != null && sendNanos > 0) {
            h.record((nowNanos - sendNanos) / 1000);
        }
    }

    /** A point-in-time copy of the counters. */
    public Snapshot snapshot() {
        return new Snapshot(sentMessages.sum(), sentBytes.sum(), skippedMessages.sum(), receivedMessages.sum(),
                receivedBytes.sum());
    }

    public record Snapshot(long sentMessages, long sentBytes, long skipped, long receivedMessages,
                           long receivedBytes) {
        public Snapshot minus(Snapshot o) {
            return new Snapshot(sentMessages - o.sentMessages, sentBytes - o.sentBytes, skipped - o.skipped,
                    receivedMessages - o.receivedMessages, receivedBytes - o.receivedBytes);
        }
    }
}

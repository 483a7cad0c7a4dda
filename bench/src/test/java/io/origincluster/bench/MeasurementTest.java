package io.origincluster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's own measurement code: histogram buckets and percentiles, the send-time stamp, /proc parsing. */
class MeasurementTest {

    @Test
    void percentilesOfAUniformRunAreExactBelowTwoMilliseconds() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 1000; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.percentile(0.50)).isEqualTo(500);
        assertThat(h.percentile(0.90)).isEqualTo(900);
        assertThat(h.percentile(0.99)).isEqualTo(990);
        assertThat(h.percentile(0.999)).isEqualTo(999);
        assertThat(h.percentile(1.0)).isEqualTo(1000);
        assertThat(h.max()).isEqualTo(1000);
        assertThat(new LatencyHistogram().percentile(0.5)).isEqualTo(-1);
    }

    @Test
    void largeValuesKeepATenthOfAPercentAndBucketsAreMonotonic() {
        for (long v : new long[] {2047, 2048, 2049, 4095, 4096, 123_456, 9_876_543, 1L << 39}) {
            long low = LatencyHistogram.lowerBound(LatencyHistogram.index(v));
            assertThat(low).isLessThanOrEqualTo(v);
            assertThat(v - low).isLessThanOrEqualTo(Math.max(0, v / 1000));
        }
        int prev = -1;
        for (long v = 0; v < 5_000_000; v += 997) {
            int i = LatencyHistogram.index(v);
            assertThat(i).isGreaterThanOrEqualTo(prev);
            prev = i;
        }
        LatencyHistogram h = new LatencyHistogram();
        h.record(Long.MAX_VALUE);
        h.record(-5);
        assertThat(h.percentile(0.5)).isZero();
        assertThat(h.max()).isGreaterThan(1L << 39);
    }

    @Test
    void skewedDistributionTailComesFromTheSlowSamples() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            h.record(100);
        }
        for (int i = 0; i < 10; i++) {
            h.record(50_000);
        }
        assertThat(h.percentile(0.99)).isEqualTo(100);
        assertThat(h.percentile(0.991)).isBetween(49_950L, 50_000L);
    }

    @Test
    void stampRoundTripsAndIsAnFlvVideoTag() {
        ByteBuf b = Unpooled.buffer();
        Stamp.write(b, 42, 123_456_789L, 200);
        assertThat(b.readableBytes()).isEqualTo(200);
        assertThat(b.getUnsignedByte(0)).isEqualTo((short) 0x17);
        assertThat(b.getUnsignedByte(1)).isEqualTo((short) 0x01);
        assertThat(Stamp.seq(b)).isEqualTo(42);
        assertThat(Stamp.sendNanos(b)).isEqualTo(123_456_789L);
        assertThat(Stamp.sendNanos(Unpooled.wrappedBuffer(new byte[40]))).isEqualTo(-1);
        assertThat(Stamp.sendNanos(Unpooled.wrappedBuffer(new byte[3]))).isEqualTo(-1);
    }

    @Test
    void cpuSecondsComeFromUtimeAndStimeEvenWithSpacesInTheName() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 125 0 0 20 0 30 0 100 0 0";
        assertThat(ProcStats.cpuSeconds(ProcessHandle.current().pid())).isPositive();
        assertThat(ProcStats.cpuSecondsFromStat(stat)).isEqualTo(3.75);
        assertThat(ProcStats.rss(ProcessHandle.current().pid())).isGreaterThan(1 << 20);
    }

    @Test
    void theStunBenchmarkInputIsAValidBindingRequest() {
        ByteBuf req = CodecBenchmarks.bindingRequest("abcdEFGH:ijklMNOP");
        assertThat(io.origincluster.dataplane.webrtc.StunCodec.bindingRequestUsername(req))
                .isEqualTo("abcdEFGH:ijklMNOP");
        req.release();
    }

    @Test
    void redisCommandStatsParse() {
        String info = "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.50\r\n"
                + "cmdstat_evalsha:calls=3,usec=9\r\n";
        assertThat(RedisServer.parseCommandStats(info)).isEqualTo(Map.of("get", 12L, "evalsha", 3L));
        assertThat(Report.delta(Map.of("get", 12L, "set", 1L), Map.of("get", 15L, "set", 1L, "del", 2L)))
                .isEqualTo(Map.of("get", 3L, "del", 2L));
    }
}

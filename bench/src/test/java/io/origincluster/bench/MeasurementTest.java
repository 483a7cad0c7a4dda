package io.origincluster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.splice.MediaTags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The harness's own measurement code: histogram buckets and percentiles, the send-time stamp, /proc parsing, and
 * the migration scenario's gap and sequence accounting and metrics parsing, and the segments scenario's HLS
 * fixture, playlist reading, nginx stub_status parsing, pacing and per-request figures, and the scale scenario's GC
 * log pauses, per-connection and per-GiB arithmetic and its SRT peers' handshake.
 */
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
    void redisCallDeltas() {
        // INFO commandstats parsing: testkit's RedisServerTest
        assertThat(Report.delta(Map.of("get", 12L, "set", 1L), Map.of("get", 15L, "set", 1L, "del", 2L)))
                .isEqualTo(Map.of("get", 3L, "del", 2L));
    }

    @Test
    void migrationFramesAreWhatTheProxysSpliceExpects() {
        ByteBuf config = Unpooled.buffer();
        Stamp.writeAvcConfig(config);
        assertThat(MediaTags.isVideoConfig(config)).isTrue();
        assertThat(MediaTags.isVideoKeyframe(config)).isFalse();
        assertThat(Stamp.seq(config)).isEqualTo(-1);
        ByteBuf key = Unpooled.buffer();
        Stamp.write(key, 25, 1000L, 100, true);
        ByteBuf inter = Unpooled.buffer();
        Stamp.write(inter, 26, 2000L, 100, false);
        assertThat(MediaTags.isVideoKeyframe(key)).isTrue();
        assertThat(MediaTags.isVideoKeyframe(inter)).isFalse();
        assertThat(MediaTags.isVideoConfig(inter)).isFalse();
        assertThat(inter.getUnsignedByte(0)).isEqualTo((short) 0x27);
        assertThat(Stamp.seq(inter)).isEqualTo(26);
        assertThat(Stamp.sendNanos(inter)).isEqualTo(2000L);
        assertThat(Stamp.seq(key)).isEqualTo(25);
    }

    @Test
    void gapTrackerCountsTheLongestGapLossAndDuplicatesPerWindow() {
        GapTracker t = new GapTracker();
        long ms = 1_000_000;
        t.received(0, 0);
        t.received(1, 40 * ms);
        t.received(2, 80 * ms);
        t.received(5, 400 * ms);   // 3 and 4 lost; 320 ms stall
        t.received(3, 410 * ms);   // a late or replayed one
        t.received(6, 440 * ms);
        GapTracker.Window w = t.take(450 * ms);
        assertThat(w.messages()).isEqualTo(6);
        assertThat(w.longestGapNanos()).isEqualTo(320 * ms);
        assertThat(w.longestGapEndNanos()).isEqualTo(400 * ms);
        assertThat(w.lost()).isEqualTo(2);
        assertThat(w.duplicates()).isEqualTo(1);

        // the next window starts clean but keeps the last arrival and sequence number
        t.received(7, 480 * ms);
        t.received(7, 500 * ms);
        GapTracker.Window w2 = t.take(510 * ms);
        assertThat(w2.messages()).isEqualTo(2);
        assertThat(w2.longestGapNanos()).isEqualTo(40 * ms);
        assertThat(w2.lost()).isZero();
        assertThat(w2.duplicates()).isEqualTo(1);

        // nothing arrives: the open gap counts up to the window's end
        GapTracker.Window w3 = t.take(2_500 * ms);
        assertThat(w3.messages()).isZero();
        assertThat(w3.longestGapNanos()).isEqualTo(2_000 * ms);
        assertThat(w3.longestGapEndNanos()).isEqualTo(2_500 * ms);
        assertThat(new GapTracker().take(5).longestGapNanos()).isZero();

        // part of a window: gaps overlapping the span count whole; the open gap at the end too
        assertThat(w.arrivals()).containsExactly(0, 40 * ms, 80 * ms, 400 * ms, 410 * ms, 440 * ms);
        assertThat(GapTracker.longestGap(w, 0, 80 * ms)).isEqualTo(40 * ms);
        assertThat(GapTracker.longestGap(w, 300 * ms, 301 * ms)).isEqualTo(320 * ms);
        assertThat(GapTracker.longestGap(w, 405 * ms, 420 * ms)).isEqualTo(30 * ms);
        assertThat(GapTracker.longestGap(w, 441 * ms, 450 * ms)).isEqualTo(10 * ms); // last arrival to the end
        assertThat(w2.arrivals()).containsExactly(440 * ms, 480 * ms, 500 * ms); // starts at the one before
        assertThat(GapTracker.longestGap(w2, 450 * ms, 460 * ms)).isEqualTo(40 * ms);
        assertThat(w3.arrivals()).containsExactly(500 * ms);
        assertThat(GapTracker.longestGap(w3, 1_000 * ms, 1_100 * ms)).isEqualTo(2_000 * ms);
    }

    @Test
    void nearestRankPercentilesOverPlayers() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // unsorted on purpose
        }
        assertThat(GapTracker.percentile(v, 0.50)).isEqualTo(50);
        assertThat(GapTracker.percentile(v, 0.99)).isEqualTo(99);
        assertThat(GapTracker.percentile(v, 1.0)).isEqualTo(100);
        assertThat(GapTracker.percentile(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(GapTracker.percentile(new long[0], 0.5)).isEqualTo(-1);
        assertThat(v[0]).isEqualTo(100); // the input is not reordered
    }

    @Test
    void prometheusTextOfTheMoveMetricsParses() {
        String text = """
                # HELP origincluster_session_moves_total Session moves to another origin
                # TYPE origincluster_session_moves_total counter
                origincluster_session_moves_total{outcome="started",protocol="rtmp",reason="drain",} 75.0
                origincluster_session_moves_total{outcome="completed",protocol="rtmp",reason="drain",} 74.0
                origincluster_session_moves_total{outcome="started",protocol="rtmp",reason="origin-lost",} 3.0
                origincluster_session_move_stall_seconds_count{protocol="rtmp",reason="drain",} 74.0
                origincluster_session_move_stall_seconds_sum{protocol="rtmp",reason="drain",} 1.48
                origincluster_session_move_stall_seconds_max{protocol="rtmp",reason="drain",} 0.09
                origincluster_session_move_stall_seconds_bucket{protocol="rtmp",reason="drain",le="+Inf",} 74.0
                jvm_info{runtime="x \\"y\\" {z}",} 1
                origincluster_origins_registered 2.0
                """;
        List<PromText.Sample> s = PromText.parse(text);
        assertThat(PromText.sum(s, "origincluster_session_moves_total", l -> "started".equals(l.get("outcome"))))
                .isEqualTo(78.0);
        assertThat(PromText.sum(s, "origincluster_session_moves_total",
                l -> "drain".equals(l.get("reason")) && "completed".equals(l.get("outcome")))).isEqualTo(74.0);
        assertThat(PromText.sum(s, "origincluster_session_move_stall_seconds_sum", l -> true)).isEqualTo(1.48);
        assertThat(PromText.max(s, "origincluster_session_move_stall_seconds_max", l -> true)).isEqualTo(0.09);
        assertThat(PromText.sum(s, "origincluster_session_move_stall_seconds_bucket", l -> "+Inf".equals(l.get("le"))))
                .isEqualTo(74.0);
        assertThat(PromText.sum(s, "jvm_info", l -> "x \"y\" {z}".equals(l.get("runtime")))).isEqualTo(1.0);
        assertThat(PromText.sum(s, "origincluster_origins_registered", l -> l.isEmpty())).isEqualTo(2.0);
        assertThat(PromText.sum(s, "nothing", l -> true)).isZero();
    }

    @Test
    void segmentSizesSpreadAroundTheAverageInWholeTsPackets() {
        int[] sizes = Hls.segmentSizes(5, 200_000);
        assertThat(sizes).hasSize(5);
        for (int sz : sizes) {
            assertThat(sz % Hls.TS_PACKET).isZero();
        }
        assertThat(sizes[0]).isBetween(100_000 - Hls.TS_PACKET, 100_000);
        assertThat(sizes[4]).isBetween(300_000 - Hls.TS_PACKET, 300_000);
        assertThat(java.util.Arrays.stream(sizes).sum() / 5.0).isBetween(199_000.0, 200_000.0);
        assertThat(Hls.segmentSizes(1, 1000)).containsExactly(940);
    }

    @Test
    void segmentTargetsResolveAgainstThePlaylistAndKeepTheToken() {
        String rewritten = """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXTINF:2.000,
                bench-0.ts?oc_hls_token=abc.def
                #EXTINF:2.000,\r
                sub/bench-1.ts?x=1&oc_hls_token=abc.def\r

                #EXTINF:2.000,
                /other/bench-2.ts?oc_hls_token=t
                #EXTINF:2.000,
                http://127.0.0.1:8080/live/bench-3.ts?oc_hls_token=u
                """;
        assertThat(Hls.segmentTargets(rewritten, "/live/bench.m3u8")).containsExactly(
                "/live/bench-0.ts?oc_hls_token=abc.def", "/live/sub/bench-1.ts?x=1&oc_hls_token=abc.def",
                "/other/bench-2.ts?oc_hls_token=t", "/live/bench-3.ts?oc_hls_token=u");
        assertThat(Hls.segmentTargets(Hls.playlist(List.of("a-0.ts", "a-1.ts")), "/live/a.m3u8"))
                .containsExactly("/live/a-0.ts", "/live/a-1.ts");
    }

    @Test
    void anMpdsSegmentUrlsBecomeRequestTargetsWithTheirTokens() {
        String rewritten = Dash.mpd(List.of("bench-0.m4s?oc_hls_token=abc.def", "sub/bench-1.m4s?x=1&amp;oc_hls_token=t",
                "http://127.0.0.1:8080/live/bench-2.m4s?oc_hls_token=u"));
        assertThat(Dash.segmentTargets(rewritten, "/live/bench.mpd")).containsExactly(
                "/live/bench-0.m4s?oc_hls_token=abc.def", "/live/sub/bench-1.m4s?x=1&oc_hls_token=t",
                "/live/bench-2.m4s?oc_hls_token=u");
        assertThat(Dash.segmentTargets(Hls.playlist(List.of("a-0.ts")), "/live/a.m3u8")).containsExactly("/live/a-0.ts");
    }

    @Test
    void nginxStubStatusParsesAndADeltaLeavesOutTheReadsOwnConnection() {
        NginxStatus a = NginxStatus.parse("""
                Active connections: 3\s
                server accepts handled requests
                 10 10 20\s
                Reading: 0 Writing: 1 Waiting: 2\s
                """);
        assertThat(a).isEqualTo(new NginxStatus(3, 10, 10, 20));
        NginxStatus b = NginxStatus.parse("Active connections: 17\r\nserver accepts handled requests\r\n"
                + " 27 27 1021\r\nReading: 0 Writing: 1 Waiting: 16\r\n");
        // 16 connections and 1,000 requests of the load between the reads, plus the second read's own
        assertThat(b.minus(a)).isEqualTo(new NginxStatus(17, 16, 16, 1000));
    }

    @Test
    void pacerKeepsTheRateAndDoesNotBurstAfterAStall() {
        Pacer p = new Pacer(1000, 5000);
        assertThat(p.due(0)).isEqualTo(5000);       // first slot in the future: wait for it
        assertThat(p.due(5100)).isEqualTo(6000);
        assertThat(p.due(6900)).isEqualTo(7000);
        assertThat(p.due(7500)).isEqualTo(8000);    // a little late (less than one interval): keep the schedule
        assertThat(p.due(8500)).isEqualTo(9000);
        assertThat(p.due(20_000)).isEqualTo(20_000); // stalled for 11 slots: restart from now, no burst of 11
        assertThat(p.due(20_000)).isEqualTo(21_000);
    }

    @Test
    void segmentPhaseFiguresPerRequestAndPerCpuSecond() {
        SegmentsScenario.Phase p = new SegmentsScenario.Phase("pool", 0, 20.0, 40_000, 33_333, 6_667,
                8_000_000_000L, 0, 0, List.of(), 900, 4000, 6000, 200, 1500, 300, 2000, 250, 1800, 10.0, 6.0, 40, 4.0, 6.0,
                new NginxStatus(20, 16, 16, 40_000), 40_000,
                Map.of("evalsha", 40_000L));
        assertThat(p.requestsPerSecond()).isEqualTo(2000.0);
        assertThat(p.proxyCpuMsPer1000()).isEqualTo(250.0);       // 10 s CPU / 40,000 requests = 250 us each
        assertThat(p.requestsPerProxyCpuSecond()).isEqualTo(4000.0);
        assertThat(p.originConnectionsPer1000()).isEqualTo(0.4);
        assertThat(p.benchCores()).isEqualTo(1.0);
        assertThat(p.redisCallsPerRequest()).isEqualTo(1.0);
        SegmentsScenario.Phase direct = new SegmentsScenario.Phase("direct", 0, 20.0, 40_000, 33_333, 6_667,
                8_000_000_000L, 0, 0, List.of(), 800, 3000, 5000, 100, 1000, 200, 1000, 150, 900, Double.NaN, Double.NaN, -1,
                4.0, 6.0, new NginxStatus(16, 16, 16, 40_000), 52, Map.of());
        assertThat(direct.proxyCpuMsPer1000()).isNaN();
        assertThat(direct.benchCores()).isEqualTo(0.5);
    }

    @Test
    void gcPausesAreTheLinesThatStopTheWorldWhicheverCollectorWroteThem() {
        List<String> log = List.of(
                "[0.012s][info][gc] Using G1",
                "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->6M(256M) 3.125ms",
                "[2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 40M->9M(256M) 1.500ms",
                "[2.100s][info][gc] GC(2) Concurrent Mark Cycle 45.000ms",
                "[2.200s][info][gc] GC(2) Pause Remark 12M->12M(256M) 0.875ms",
                "[3.000s][info][gc] GC(3) Pause Full (System.gc()) 30M->7M(40M) 21.250ms",
                "[4.000s][info][gc] GC(4) Pause Young (Allocation Failure) 33M->5M(123M) 4.567ms",
                "[4.500s][info][gc] GC(5) Pause Young (Allocation Failure) 33M->5M(123M)");
        assertThat(GcLog.pauseMillis(log.get(3))).isEqualTo(-1);   // concurrent: the relay keeps running
        assertThat(GcLog.pauseMillis(log.get(7))).isEqualTo(-1);   // cut off mid-write: no duration yet
        GcLog.Pauses all = GcLog.since(log, 0);
        assertThat(all.count()).isEqualTo(5);
        assertThat(all.totalMillis()).isCloseTo(31.317, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(all.maxMillis()).isEqualTo(21.25);
        GcLog.Pauses later = GcLog.since(log, 5);                  // a window that began after the first 5 lines
        assertThat(later.count()).isEqualTo(2);
        assertThat(later.maxMillis()).isEqualTo(21.25);
        assertThat(GcLog.since(log, 8).count()).isZero();
        assertThat(GcLog.lines(java.nio.file.Path.of("/nonexistent/gc.log"))).isEmpty();
    }

    @Test
    void scaleFiguresPerConnectionAndPerGib() {
        long mib = 1024 * 1024;
        // 200 MiB idle, 400 MiB with 10,240 connections: 20 KiB each
        assertThat(ScaleScenario.perConnection(200 * mib, 400 * mib, 10_240)).isEqualTo(20 * 1024.0);
        assertThat(ScaleScenario.perConnection(200 * mib, 400 * mib, 0)).isNaN();
        assertThat(ScaleScenario.cpuPerGib(3.0, 3L * 1024 * mib)).isEqualTo(1.0);
        assertThat(ScaleScenario.cpuPerGib(3.0, 0)).isNaN();
        assertThat(ScaleScenario.mibDelta(200 * mib, 190 * mib)).isEqualTo(-10.0);
        assertThat(ScaleScenario.ratio(99, 100)).isEqualTo(0.99);
        assertThat(ScaleScenario.ratio(1, 0)).isNaN();
    }

    @Test
    void srtCallersHandshakeWithTheManyCallerOriginAndTheirDataIsCounted() {
        try (SrtManyOrigin origin = SrtManyOrigin.start()) {
            SrtCallers callers = new SrtCallers(origin.port(), 50);
            try {
                SrtCallers.Ramp r = callers.connect(20, i -> "#!::r=live/t" + i + ",m=publish", 4);
                assertThat(r.up()).isEqualTo(20);
                assertThat(r.failures()).isEmpty();
                assertThat(origin.sessions()).isEqualTo(20);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (origin.dataBytes() < 20L * SrtCallers.PAYLOAD && System.nanoTime() < deadline) {
                    Pause.millis(20);
                }
                assertThat(origin.dataBytes()).isGreaterThanOrEqualTo(20L * SrtCallers.PAYLOAD);
                assertThat(origin.dataBytes() % SrtCallers.PAYLOAD).isZero();
                assertThat(origin.unknownDataPackets()).isZero();
            } finally {
                callers.close();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (origin.sessions() > 0 && System.nanoTime() < deadline) {
                Pause.millis(20);
            }
            assertThat(origin.sessions()).isZero();                 // SHUTDOWN ended every session
        }
    }

    @Test
    void theTsOriginsPacketsAreWholeWithTablesAKeyframeStartAndSizedAudio() throws Exception {
        TsMux mux = new TsMux();
        ByteBuf out = Unpooled.buffer();
        mux.tables(out);
        mux.video(out, 1000, true, new byte[4000]);
        mux.audio(out, 1000, new byte[178]);
        mux.video(out, 1040, false, new byte[3000]);
        assertThat(out.readableBytes() % TsMux.PACKET).isZero();
        for (int at = 0; at < out.readableBytes(); at += TsMux.PACKET) {
            assertThat(out.getUnsignedByte(at)).isEqualTo((short) 0x47);
        }
        // the proxy's own reader and splicer state: tables understood, the keyframe is where a player may start
        io.origincluster.dataplane.http.ts.TsSplicer.LegState leg =
                new io.origincluster.dataplane.http.ts.TsSplicer.LegState();
        List<ByteBuf> packets = new java.util.ArrayList<>();
        new io.origincluster.dataplane.http.ts.TsPacketReader(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)
                .feedInPlace(out.retainedDuplicate(), (buf, at) -> {
                    leg.observe(buf, at, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                    packets.add(buf.retainedSlice(at, TsMux.PACKET));
                });
        assertThat(leg.ready()).isTrue();
        List<Integer> starts = new java.util.ArrayList<>();
        Map<Integer, Integer> payload = new java.util.HashMap<>();
        for (int i = 0; i < packets.size(); i++) {
            ByteBuf p = packets.get(i);
            if (leg.isStart(p, p.readerIndex())) {
                starts.add(i);
            }
            int pid = (p.getUnsignedByte(1) & 0x1f) << 8 | p.getUnsignedByte(2);
            int afc = p.getUnsignedByte(3) >> 4 & 3;
            int off = 4 + ((afc & 2) != 0 ? 1 + p.getUnsignedByte(4) : 0);
            payload.merge(pid, TsMux.PACKET - off, Integer::sum);
        }
        assertThat(starts).containsExactly(2); // the keyframe's first packet; not the tables, audio, or the P frame
        ByteBuf key = packets.get(2);
        assertThat(key.getUnsignedByte(5) & 0x50).isEqualTo(0x50); // random access and PCR
        // audio: one PES whose PES_packet_length covers exactly what its packets carry
        int audioPes = payload.get(TsMux.AUDIO_PID);
        int firstAudio = -1;
        for (int i = 0; i < packets.size(); i++) {
            ByteBuf p = packets.get(i);
            if (((p.getUnsignedByte(1) & 0x1f) << 8 | p.getUnsignedByte(2)) == TsMux.AUDIO_PID) {
                firstAudio = i;
                break;
            }
        }
        ByteBuf a = packets.get(firstAudio);
        int aoff = 4 + ((a.getUnsignedByte(3) & 0x20) != 0 ? 1 + a.getUnsignedByte(4) : 0);
        assertThat(a.getUnsignedShort(aoff + 4) + 6).isEqualTo(audioPes);
        // video: both frames' bytes are there (PES header 19, AUD 6, start code 4, NAL header 1)
        assertThat(payload.get(TsMux.VIDEO_PID)).isEqualTo(2 * (19 + 6 + 4 + 1) + 4000 + 3000);
        packets.forEach(ByteBuf::release);
        leg.release();
        // the tables a joining player gets repeat the last counters; CRC-32/MPEG-2's check value
        ByteBuf join = Unpooled.buffer();
        mux.tablesForJoin(join);
        assertThat(join.getUnsignedByte(3) & 0x0f).isEqualTo(out.getUnsignedByte(3) & 0x0f);
        assertThat(TsMux.crc32("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo(0x0376e6e7);
    }

    @Test
    void thePlayersTsWalkCountsPacketsAcrossPiecesAndRejectsLostSync() {
        TsMux mux = new TsMux();
        ByteBuf stream = Unpooled.buffer();
        mux.tables(stream);
        mux.video(stream, 0, true, new byte[1000]);
        int packets = stream.readableBytes() / TsMux.PACKET;
        LivePlayers.TsWalk walk = new LivePlayers.TsWalk();
        int counted = 0;
        // cut at odd places: 1 byte, then 100, then the rest
        counted += walk.walk(stream.readRetainedSlice(1));
        counted += walk.walk(stream.readRetainedSlice(100));
        counted += walk.walk(stream.readRetainedSlice(stream.readableBytes()));
        assertThat(counted).isEqualTo(packets);
        ByteBuf bad = Unpooled.buffer();
        mux.tables(bad);
        bad.setByte(TsMux.PACKET, 0x46);
        assertThat(new LivePlayers.TsWalk().walk(bad)).isEqualTo(-1);
    }

    @Test
    void thePlayersFlvWalkCountsTagsAndRejectsWhatIsNotFlv() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes("FLV".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).writeByte(1).writeByte(5).writeInt(9)
                .writeInt(0);
        for (int type : new int[] {9, 8}) {
            b.writeByte(type).writeMedium(20).writeMedium(0).writeByte(0).writeMedium(0).writeZero(20).writeInt(31);
        }
        LivePlayers.FlvWalk walk = new LivePlayers.FlvWalk();
        assertThat(walk.walk(b.readRetainedSlice(20)) + walk.walk(b)).isEqualTo(2);
        ByteBuf bad = Unpooled.buffer();
        bad.writeBytes("FLV".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).writeByte(1).writeByte(5)
                .writeInt(9).writeInt(0).writeByte(7).writeMedium(0).writeMedium(0).writeByte(0).writeMedium(0);
        assertThat(new LivePlayers.FlvWalk().walk(bad)).isEqualTo(-1);
        assertThat(new LivePlayers.FlvWalk().walk(Unpooled.wrappedBuffer(new byte[] {0x47, 0, 0}))).isEqualTo(-1);
    }
}

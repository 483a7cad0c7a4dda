package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.testpeers.LeakWatch;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.MoveStats;
import io.origincluster.dataplane.testpeers.TestMedia;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP-TS players through the proxy while the origin under them dies or drains: ffmpeg decoding with
 * {@code -xerror}, and a raw client that reads every 188-byte packet and checks sync, timestamps (video DTS, audio
 * PTS, PCR never going back nor jumping ahead) and that the splice is marked with discontinuity indicators. The
 * longest gap between video PES arrivals is printed; under 3 s for a death, 0.5 s for a drain.
 */
class HttpTsHitlessTest {

    private static final long SECOND = 1_000_000_000L;

    private LeakWatch leakWatch;
    private MediaHttpOrigin a;
    private MediaHttpOrigin b;
    private Dataplane proxy;
    private final List<AutoCloseable> players = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        leakWatch = new LeakWatch();
        a = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), false);
        b = MediaHttpOrigin.start(TestMedia.flv(), TestMedia.ts(), false);
        proxy = ProxyFixture.start(Map.of("PROXY_PLAYER_HOLD", "10s"));
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-a", a.port());
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-b", b.port());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable p : players) {
            p.close();
        }
        try {
            HttpStreamServer server = (HttpStreamServer) proxy.server("http-stream");
            Awaitility.await("client connections closed").atMost(Duration.ofSeconds(5))
                    .until(() -> server.connectionCount() == 0);
            Awaitility.await("sessions unregistered").atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.routing().sessions().size() == 0);
            proxy.close();
            a.close();
            b.close();
            assertThat(leakWatch.leaks()).as("Netty leak reports").isEmpty();
        } finally {
            leakWatch.close();
        }
    }

    @Test
    void theOriginHoldingTheStreamDiesAndTheTsPlayersOnlyStall() throws Exception {
        String path = "/live/kill.ts";
        TsClient raw = play(path);
        HttpFlvHitlessTest.FfmpegPlayer player = ffmpeg(path);
        awaitPlaying(raw, player);
        MediaHttpOrigin victim = holder("__defaultVhost__/live/kill");
        MediaHttpOrigin survivor = victim == a ? b : a;
        long framesAtKill = player.frames();
        long killedAt = System.nanoTime();
        victim.kill();

        awaitMediaAfter(raw, player, killedAt, framesAtKill);
        assertThat(player.isAlive()).as("ffmpeg still playing: " + player.output()).isTrue();
        raw.assertContinuous();
        assertThat(raw.discontinuitiesAfter(killedAt)).as("packets marked discontinuous after the splice")
                .isGreaterThanOrEqualTo(3);
        long stallMs = raw.longestVideoGapNanos(killedAt - SECOND) / 1_000_000;
        System.out.println("HTTP-TS stall after killing the origin: " + stallMs + " ms (raw client), ffmpeg frames "
                + framesAtKill + " -> " + player.frames());
        assertThat(stallMs).isLessThan(3000);
        assertThat(survivor.requestsFor(path)).isGreaterThanOrEqualTo(2);
        MoveStats stats = proxy.routing().sessions().stats();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stats.completed() >= 2);
        assertThat(proxy.metrics().scrape().lines().filter(l -> l.startsWith("origincluster_session_moves_total")))
                .contains("origincluster_session_moves_total{outcome=\"completed\","
                + "protocol=\"http-ts\",reason=\"origin-lost\"} 2.0");
    }

    @Test
    void drainingTheOriginMovesTheTsPlayersMakeBeforeBreak() throws Exception {
        String path = "/live/drain.ts";
        TsClient raw = play(path);
        HttpFlvHitlessTest.FfmpegPlayer player = ffmpeg(path);
        awaitPlaying(raw, player);
        MediaHttpOrigin drained = holder("__defaultVhost__/live/drain");
        long framesAtDrain = player.frames();
        long drainedAt = System.nanoTime();
        assertThat(proxy.store().setDraining(drained == a ? "origin-a" : "origin-b", true).toCompletableFuture()
                .join()).isTrue();
        MoveStats stats = proxy.routing().sessions().stats();
        Awaitility.await("both sessions moved").atMost(Duration.ofSeconds(10)).until(() -> stats.completed() >= 2);
        Awaitility.await("old legs closed").atMost(Duration.ofSeconds(5)).until(() -> drained.openResponses() == 0);
        awaitMediaAfter(raw, player, drainedAt, framesAtDrain);
        assertThat(player.isAlive()).as("ffmpeg still playing: " + player.output()).isTrue();
        raw.assertContinuous();
        long stallMs = raw.longestVideoGapNanos(drainedAt - SECOND) / 1_000_000;
        System.out.println("HTTP-TS stall during a drain: " + stallMs + " ms (raw client), ffmpeg frames "
                + framesAtDrain + " -> " + player.frames());
        assertThat(stallMs).isLessThan(500);
        assertThat(stats.failed()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    private MediaHttpOrigin holder(String key) {
        String id = proxy.store().pinned(key).toCompletableFuture().join().orElseThrow().id();
        return id.equals("origin-a") ? a : b;
    }

    private TsClient play(String path) {
        TsClient c = new TsClient("http://127.0.0.1:" + ProxyFixture.httpPort(proxy) + path);
        players.add(c);
        return c;
    }

    private HttpFlvHitlessTest.FfmpegPlayer ffmpeg(String path) throws IOException {
        HttpFlvHitlessTest.FfmpegPlayer p =
                new HttpFlvHitlessTest.FfmpegPlayer("http://127.0.0.1:" + ProxyFixture.httpPort(proxy) + path);
        players.add(p);
        return p;
    }

    private static void awaitPlaying(TsClient raw, HttpFlvHitlessTest.FfmpegPlayer player) {
        Awaitility.await("players started").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> raw.error == null && raw.videoSpanAfter(0) >= 2 * 90_000 && player.frames() >= 25);
    }

    private static void awaitMediaAfter(TsClient raw, HttpFlvHitlessTest.FfmpegPlayer player, long since,
                                        long framesBefore) {
        Awaitility.await("media after the change").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    assertThat(raw.error).as("raw client").isNull();
                    assertThat(player.isAlive()).as("ffmpeg exited: " + player.output()).isTrue();
                    return raw.videoSpanAfter(since) >= 3 * 90_000 && player.frames() >= framesBefore + 75;
                });
    }

    /** A TS player that checks every packet, recording PES timestamps, PCRs and discontinuity indicators. */
    static final class TsClient implements AutoCloseable {
        record Seen(long arrivalNanos, int pid, int streamId, long dts, long pcr, boolean discontinuity) { }

        final List<Seen> seen = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile HttpURLConnection connection;
        volatile Throwable error;
        private volatile boolean closing;

        TsClient(String url) {
            thread = new Thread(() -> {
                try {
                    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                    connection = c;
                    c.setReadTimeout(15_000);
                    c.setRequestProperty("Connection", "close");
                    assertThat(c.getResponseCode()).isEqualTo(200);
                    try (InputStream in = c.getInputStream()) {
                        DataInputStream d = new DataInputStream(in);
                        byte[] p = new byte[188];
                        while (true) {
                            try {
                                d.readFully(p);
                            } catch (EOFException e) {
                                return;
                            }
                            record(p);
                        }
                    }
                } catch (Throwable e) {
                    if (!closing) {
                        error = e;
                    }
                }
            }, "ts-client");
            thread.setDaemon(true);
            thread.start();
        }

        private void record(byte[] p) throws IOException {
            if (p[0] != 0x47) {
                throw new IOException("lost sync after " + seen.size() + " recorded packets");
            }
            int pid = ((p[1] & 0x1f) << 8) | (p[2] & 0xff);
            int afc = (p[3] >> 4) & 3;
            boolean disc = false;
            long pcr = -1;
            int off = 4;
            if ((afc & 2) != 0) {
                int len = p[4] & 0xff;
                if (len > 0) {
                    disc = (p[5] & 0x80) != 0;
                    if ((p[5] & 0x10) != 0 && len >= 7) {
                        pcr = (((p[6] & 0xffL) << 25) | ((p[7] & 0xffL) << 17) | ((p[8] & 0xffL) << 9)
                                | ((p[9] & 0xffL) << 1) | ((p[10] & 0xff) >> 7));
                    }
                }
                off = 5 + len;
            }
            int sid = -1;
            long dts = -1;
            if ((p[1] & 0x40) != 0 && (afc & 1) != 0 && off + 19 <= 188 && p[off] == 0 && p[off + 1] == 0
                    && p[off + 2] == 1) {
                sid = p[off + 3] & 0xff;
                int flags = (p[off + 7] >> 6) & 3;
                if (flags == 3) {
                    dts = ts(p, off + 14);
                } else if (flags == 2) {
                    dts = ts(p, off + 9);
                }
            }
            if (disc || pcr >= 0 || dts >= 0) {
                seen.add(new Seen(System.nanoTime(), pid, sid, dts, pcr, disc));
            }
        }

        private static long ts(byte[] p, int i) {
            return (((long) p[i] >> 1) & 7) << 30 | ((long) (p[i + 1] & 0xff)) << 22
                    | ((long) (p[i + 2] & 0xfe)) << 14 | ((long) (p[i + 3] & 0xff)) << 7 | ((p[i + 4] & 0xfe) >> 1);
        }

        long videoSpanAfter(long sinceNanos) {
            long first = -1;
            long last = -1;
            for (Seen s : seen) {
                if (s.streamId() == 0xe0 && s.dts() >= 0 && s.arrivalNanos() >= sinceNanos) {
                    if (first < 0) {
                        first = s.dts();
                    }
                    last = s.dts();
                }
            }
            return first < 0 ? 0 : last - first;
        }

        long longestVideoGapNanos(long sinceNanos) {
            long prev = -1;
            long gap = 0;
            for (Seen s : seen) {
                if (s.streamId() != 0xe0 || s.arrivalNanos() < sinceNanos) {
                    continue;
                }
                if (prev >= 0) {
                    gap = Math.max(gap, s.arrivalNanos() - prev);
                }
                prev = s.arrivalNanos();
            }
            return gap;
        }

        long discontinuitiesAfter(long sinceNanos) {
            return seen.stream().filter(s -> s.discontinuity() && s.arrivalNanos() >= sinceNanos).count();
        }

        /**
         * Per PID, DTS (or PTS) and PCR never go back nor jump ahead by more than a second (a splice may skip what
         * the muxer's interleaving put between tracks, a few hundred ms).
         */
        void assertContinuous() {
            assertThat(error).as("raw TS client").isNull();
            Map<Integer, Long> lastDts = new java.util.HashMap<>();
            Map<Integer, Long> lastPcr = new java.util.HashMap<>();
            for (Seen s : seen) {
                if (s.dts() >= 0) {
                    Long prev = lastDts.put(s.pid(), s.dts());
                    if (prev != null) {
                        assertThat(s.dts()).as("DTS of PID %d after %d", s.pid(), prev)
                                .isBetween(prev, prev + 90_000);
                    }
                }
                if (s.pcr() >= 0) {
                    Long prev = lastPcr.put(s.pid(), s.pcr());
                    if (prev != null) {
                        assertThat(s.pcr()).as("PCR base of PID %d after %d", s.pid(), prev)
                                .isBetween(prev, prev + 90_000);
                    }
                }
            }
            assertThat(lastDts).isNotEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            closing = true;
            HttpURLConnection c = connection;
            if (c != null) {
                c.disconnect();
            }
            thread.join(5000);
        }
    }
}

package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.MoveStats;
import io.origincluster.dataplane.testpeers.LeakWatch;
import io.origincluster.dataplane.testpeers.TestMedia;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP-FLV players through the proxy while the origin under them dies or drains: two real-time origins, an ffmpeg
 * player decoding with {@code -xerror} and a raw client that checks the FLV it receives byte by byte. The players
 * must not notice more than a stall: ffmpeg keeps running and decoding, the raw client sees one FLV header, tags
 * that frame correctly and timestamps that never go back, and the longest gap between video frames (printed) stays
 * under 3 s for a death and 0.5 s for a drain. Netty's leak detector runs at PARANOID throughout.
 */
class HttpFlvHitlessTest {

    private static final long SECOND = 1_000_000_000L;

    private LeakWatch leakWatch;
    private MediaHttpOrigin a;
    private MediaHttpOrigin b;
    private Dataplane proxy;
    private final List<AutoCloseable> players = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        leakWatch = new LeakWatch();
        a = MediaHttpOrigin.startLive(TestMedia.flv(), TestMedia.ts());
        b = MediaHttpOrigin.startLive(TestMedia.flv(), TestMedia.ts());
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
            if (proxy != null) {
                HttpStreamServer server = (HttpStreamServer) proxy.server("http-stream");
                Awaitility.await("client connections closed").atMost(Duration.ofSeconds(5))
                        .until(() -> server.connectionCount() == 0);
                Awaitility.await("sessions unregistered").atMost(Duration.ofSeconds(5))
                        .until(() -> proxy.routing().sessions().size() == 0);
                proxy.close();
            }
            a.close();
            b.close();
            assertThat(leakWatch.leaks()).as("Netty leak reports").isEmpty();
        } finally {
            leakWatch.close();
        }
    }

    @Test
    void theOriginHoldingTheStreamDiesAndThePlayersOnlyStall() throws Exception {
        String path = "/live/kill.flv";
        FlvClient raw = play(path);
        FfmpegPlayer player = ffmpeg(path);
        awaitPlaying(raw, player);

        MediaHttpOrigin victim = holder("__defaultVhost__/live/kill");
        MediaHttpOrigin survivor = victim == a ? b : a;
        long framesAtKill = player.frames();
        long killedAt = System.nanoTime();
        victim.kill();

        awaitMediaAfter(raw, player, killedAt, framesAtKill);
        assertThat(player.isAlive()).as("ffmpeg still playing: " + player.output()).isTrue();
        raw.assertContinuous();
        long stallMs = raw.longestVideoGapNanos(killedAt - SECOND) / 1_000_000;
        System.out.println("HTTP-FLV stall after killing the origin: " + stallMs + " ms (raw client), ffmpeg frames "
                + framesAtKill + " -> " + player.frames());
        assertThat(stallMs).as("longest gap between video frames around the kill, ms").isLessThan(3000);
        assertThat(survivor.requestsFor(path)).as("both players re-requested the stream from the survivor")
                .isGreaterThanOrEqualTo(2);
        assertThat(proxy.store().pinned("__defaultVhost__/live/kill").toCompletableFuture().join()
                .map(io.origincluster.state.Backend::id))
                .as("the stream is pinned to the survivor").hasValue(survivor == a ? "origin-a" : "origin-b");
        MoveStats stats = proxy.routing().sessions().stats();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stats.completed() >= 2);
        assertThat(stats.failed()).isZero();
        assertThat(metrics()).contains("origincluster_session_moves_total{outcome=\"completed\",protocol=\"http-flv\","
                + "reason=\"origin-lost\"} 2.0");
    }

    @Test
    void whileTheNewOriginAnswers404ThePlayerIsHeldAndResumesWhenTheStreamAppears() throws Exception {
        String path = "/live/late.flv";
        FlvClient raw = play(path);
        awaitPlaying(raw, null);
        MediaHttpOrigin victim = holder("__defaultVhost__/live/late");
        MediaHttpOrigin survivor = victim == a ? b : a;
        survivor.notFound = true;
        long killedAt = System.nanoTime();
        victim.kill();
        Awaitility.await("several retries answered 404").atMost(Duration.ofSeconds(10))
                .until(() -> survivor.requestsFor(path) >= 3);
        assertThat(raw.failure()).as("the client is still connected").isNull();
        assertThat(raw.ended).isFalse();
        survivor.notFound = false;
        awaitMediaAfter(raw, null, killedAt, 0);
        raw.assertContinuous();
        long stallMs = raw.longestVideoGapNanos(killedAt - SECOND) / 1_000_000;
        System.out.println("HTTP-FLV stall with the stream missing on the new origin for a while: " + stallMs + " ms");
        assertThat(stallMs).isLessThan(8000);
    }

    @Test
    void whenNoOriginHasTheStreamWithinTheHoldTheResponseEndsNormally() throws Exception {
        proxy.close();
        proxy = ProxyFixture.start(Map.of("PROXY_PLAYER_HOLD", "2s"));
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-a", a.port());
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-b", b.port());
        FlvClient raw = play("/live/gone.flv");
        awaitPlaying(raw, null);
        a.notFound = true;
        b.notFound = true;
        holder("__defaultVhost__/live/gone").kill();
        long killedAt = System.nanoTime();
        Awaitility.await("response ended").atMost(Duration.ofSeconds(10)).until(() -> raw.ended);
        long heldMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("HTTP-FLV player held for " + heldMs + " ms, then the response ended");
        assertThat(heldMs).isBetween(1500L, 6000L);
        raw.assertContinuous();
        assertThat(proxy.routing().sessions().stats().failed()).isEqualTo(1);
    }

    @Test
    void drainingTheOriginMovesThePlayersMakeBeforeBreak() throws Exception {
        String path = "/live/drain.flv";
        FlvClient raw = play(path);
        FfmpegPlayer player = ffmpeg(path);
        awaitPlaying(raw, player);

        MediaHttpOrigin drained = holder("__defaultVhost__/live/drain");
        MediaHttpOrigin other = drained == a ? b : a;
        String drainedId = drained == a ? "origin-a" : "origin-b";
        long framesAtDrain = player.frames();
        long drainedAt = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + proxy.port("system-api") + "/api/v1/origins/" + drainedId + "/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        MoveStats stats = proxy.routing().sessions().stats();
        Awaitility.await("both sessions moved").atMost(Duration.ofSeconds(10)).until(() -> stats.completed() >= 2);
        Awaitility.await("old legs closed").atMost(Duration.ofSeconds(5)).until(() -> drained.openResponses() == 0);
        awaitMediaAfter(raw, player, drainedAt, framesAtDrain);
        assertThat(player.isAlive()).as("ffmpeg still playing: " + player.output()).isTrue();
        raw.assertContinuous();
        long stallMs = raw.longestVideoGapNanos(drainedAt - SECOND) / 1_000_000;
        System.out.println("HTTP-FLV stall during a drain: " + stallMs + " ms (raw client), ffmpeg frames "
                + framesAtDrain + " -> " + player.frames());
        assertThat(stallMs).as("longest gap between video frames around the drain, ms").isLessThan(500);
        assertThat(other.openResponses()).isEqualTo(2);
        assertThat(stats.failed()).isZero();
        assertThat(metrics()).contains("origincluster_session_moves_total{outcome=\"completed\",protocol=\"http-flv\","
                + "reason=\"drain\"} 2.0");
    }

    @Test
    void aDrainWhoseNewOriginHasNoStreamYetBreaksAtTheDeadlineAndResumesWithinTheHold() throws Exception {
        proxy.close();
        proxy = ProxyFixture.start(Map.of("PROXY_PLAYER_HOLD", "10s", "PROXY_DRAIN_TIMEOUT", "1s"));
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-a", a.port());
        ProxyFixture.registerHttpOrigin(proxy.store(), "origin-b", b.port());
        String path = "/live/deadline.flv";
        FlvClient raw = play(path);
        awaitPlaying(raw, null);
        MediaHttpOrigin drained = holder("__defaultVhost__/live/deadline");
        MediaHttpOrigin other = drained == a ? b : a;
        other.notFound = true;
        long drainedAt = System.nanoTime();
        assertThat(proxy.store().setDraining(drained == a ? "origin-a" : "origin-b", true).toCompletableFuture()
                .join()).isTrue();
        Awaitility.await("old leg closed at the deadline").atMost(Duration.ofSeconds(5))
                .until(() -> drained.openResponses() == 0);
        long closedMs = (System.nanoTime() - drainedAt) / 1_000_000;
        assertThat(closedMs).as("ms until the old leg closed").isBetween(900L, 4000L);
        assertThat(raw.failure()).isNull();
        assertThat(raw.ended).isFalse();
        other.notFound = false;
        awaitMediaAfter(raw, null, System.nanoTime(), 0);
        raw.assertContinuous();
        MoveStats stats = proxy.routing().sessions().stats();
        assertThat(stats.completed()).isEqualTo(1);
        assertThat(stats.failed()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    /** The move metrics only, so that a failed assertion shows what was counted instead of the whole scrape. */
    private String metrics() {
        return proxy.metrics().scrape().lines().filter(l -> l.startsWith("origincluster_session_move"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    private MediaHttpOrigin holder(String key) {
        String id = proxy.store().pinned(key).toCompletableFuture().join().orElseThrow().id();
        return id.equals("origin-a") ? a : b;
    }

    private FlvClient play(String path) {
        FlvClient c = new FlvClient("http://127.0.0.1:" + ProxyFixture.httpPort(proxy) + path);
        players.add(c);
        return c;
    }

    private FfmpegPlayer ffmpeg(String path) throws IOException {
        FfmpegPlayer p = new FfmpegPlayer("http://127.0.0.1:" + ProxyFixture.httpPort(proxy) + path);
        players.add(p);
        return p;
    }

    private static void awaitPlaying(FlvClient raw, FfmpegPlayer player) {
        Awaitility.await("players started").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> raw.failure() == null && raw.videoTimestampSpan() >= 2000
                        && (player == null || player.frames() >= 25));
    }

    /** Waits for 3 s of video received after {@code since}, and for ffmpeg to have decoded 75 more frames. */
    private static void awaitMediaAfter(FlvClient raw, FfmpegPlayer player, long since, long framesBefore) {
        Awaitility.await("media after the change").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    assertThat(raw.failure()).as("raw client").isNull();
                    assertThat(raw.ended).as("raw client's response ended").isFalse();
                    if (player != null) {
                        assertThat(player.isAlive()).as("ffmpeg exited: " + player.output()).isTrue();
                    }
                    return raw.videoTimestampSpanAfter(since) >= 3000
                            && (player == null || player.frames() >= framesBefore + 75);
                });
    }

    /** A player that reads the FLV strictly, recording when each tag arrived. */
    static final class FlvClient implements AutoCloseable {
        record Received(long arrivalNanos, int type, long timestamp, boolean keyframe) { }

        final List<Received> tags = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile HttpURLConnection connection;
        private volatile Throwable error;
        private volatile boolean closing;
        volatile boolean ended;

        FlvClient(String url) {
            thread = new Thread(() -> {
                try {
                    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                    connection = c;
                    c.setReadTimeout(15_000);
                    c.setRequestProperty("Connection", "close"); // nothing left in a keep-alive cache
                    assertThat(c.getResponseCode()).isEqualTo(200);
                    try (InputStream in = c.getInputStream()) {
                        FlvClip.Reader r = new FlvClip.Reader(in);
                        r.header();
                        FlvClip.Tag t;
                        while ((t = r.next()) != null) {
                            tags.add(new Received(System.nanoTime(), t.type(), t.timestamp(), t.videoKeyframe()));
                        }
                        ended = true;
                    }
                } catch (Throwable e) {
                    if (!closing) {
                        error = e;
                    }
                }
            }, "flv-client");
            thread.setDaemon(true);
            thread.start();
        }

        Throwable failure() {
            return error;
        }

        long videoTimestampSpan() {
            return videoTimestampSpanAfter(0);
        }

        long videoTimestampSpanAfter(long sinceNanos) {
            long first = -1;
            long last = -1;
            for (Received r : tags) {
                if (r.type() == 9 && r.arrivalNanos() >= sinceNanos) {
                    if (first < 0) {
                        first = r.timestamp();
                    }
                    last = r.timestamp();
                }
            }
            return first < 0 ? 0 : last - first;
        }

        /** The longest time between two video tags arriving, counted from {@code sinceNanos}. */
        long longestVideoGapNanos(long sinceNanos) {
            long prev = -1;
            long gap = 0;
            for (Received r : tags) {
                if (r.type() != 9 || r.arrivalNanos() < sinceNanos) {
                    continue;
                }
                if (prev >= 0) {
                    gap = Math.max(gap, r.arrivalNanos() - prev);
                }
                prev = r.arrivalNanos();
            }
            return gap;
        }

        /** No error, and timestamps per track never going back nor jumping ahead by more than 200 ms. */
        void assertContinuous() {
            assertThat(error).as("raw FLV client").isNull();
            long[] last = {-1, -1};
            int keyframes = 0;
            for (Received r : tags) {
                if (r.type() == 18) {
                    continue;
                }
                int track = r.type() == 9 ? 0 : 1;
                if (last[track] >= 0) {
                    assertThat(r.timestamp()).as("track %d timestamp after %d", r.type(), last[track])
                            .isBetween(last[track], last[track] + 200);
                }
                last[track] = r.timestamp();
                keyframes += r.keyframe() ? 1 : 0;
            }
            assertThat(keyframes).isGreaterThan(1);
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

    /** ffmpeg decoding the stream to nothing, exiting on the first decode error, reporting frames as it goes. */
    static final class FfmpegPlayer implements AutoCloseable {
        private static final Pattern FRAME = Pattern.compile("(?m)^frame=(\\d+)$");
        private final Path progress;
        private final Proc proc;

        FfmpegPlayer(String url) throws IOException {
            Tools.require("ffmpeg");
            Files.createDirectories(Path.of("target"));
            progress = Files.createTempFile(Path.of("target").toAbsolutePath(), "ffmpeg-progress-", ".txt");
            proc = Proc.start("ffmpeg-play", List.of("ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", url,
                    "-f", "null", "-progress", progress.toString(), "-stats_period", "0.2", "-"));
        }

        long frames() throws IOException {
            Matcher m = FRAME.matcher(Files.readString(progress));
            long n = 0;
            while (m.find()) {
                n = Long.parseLong(m.group(1));
            }
            return n;
        }

        boolean isAlive() {
            return proc.isAlive();
        }

        String output() {
            return proc.output();
        }

        @Override
        public void close() throws IOException {
            proc.close();
            Files.deleteIfExists(progress);
        }
    }
}

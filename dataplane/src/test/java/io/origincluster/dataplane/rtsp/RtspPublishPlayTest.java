package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstRtspOrigin;
import io.origincluster.testkit.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One stream, both directions through the proxy: ffmpeg publishes {@code -f rtsp -rtsp_transport tcp} to the proxy,
 * ffprobe plays the same URL through the proxy and decodes the publisher's frames, and plays it over HLS through the
 * proxy's HTTP listener on the same stream key (the origins also cut what is published into HLS). The origins are two
 * gst-rtsp-server relays that play back only what was published to them (a DESCRIBE where nobody publishes is
 * refused), so a played frame proves the player reached the publisher's origin through the stream key's pin.
 */
class RtspPublishPlayTest {

    private static final String KEY = "__defaultVhost__/live/pub";

    private List<GstRtspOrigin> origins;
    private Dataplane proxy;

    @BeforeEach
    void start() throws Exception {
        origins = List.of(GstRtspOrigin.start(List.of(), List.of(), List.of("/live/pub"), true),
                GstRtspOrigin.start(List.of(), List.of(), List.of("/live/pub"), true));
        proxy = RtspHarness.start(Map.of());
        RtspHarness.register(proxy.store(), "relay-0", origins.get(0));
        RtspHarness.register(proxy.store(), "relay-1", origins.get(1));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origins != null) {
            origins.forEach(GstRtspOrigin::close);
        }
    }

    @Test
    void aStreamPublishedThroughTheProxyPlaysBackThroughTheProxy() {
        String url = RtspHarness.url(proxy, "/live/pub");
        assertThat(Ffmpeg.countRtspVideoFrames(url, "tcp", 1, 15)).as("nothing to play before the publish").isZero();
        try (Proc publisher = Ffmpeg.publishRtsp(url)) {
            int held = awaitPublished(publisher);
            int frames = Ffmpeg.countRtspVideoFrames(url, "tcp", 2, 30);
            assertThat(frames).as("the publisher's frames decoded through the proxy; origin: %s",
                    origins.get(held).output()).isGreaterThan(20);
            assertThat(origins.get(1 - held).recordedFrames("/live/pub")).as("the other origin never saw it").isZero();
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).contains("relay-" + held);
            assertThat(publisher.isAlive()).as("publisher: %s", publisher.output()).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
        assertThat(proxy.routing().sessions().size()).isZero();
    }

    @Test
    void aStreamPublishedOverRtspThroughTheProxyPlaysOverHlsThroughTheProxyOnTheSameKey() {
        String hls = "http://127.0.0.1:" + proxy.port("http-stream") + "/live/pub.m3u8";
        try (Proc publisher = Ffmpeg.publishRtsp(RtspHarness.url(proxy, "/live/pub"))) {
            int held = awaitPublished(publisher);
            // the origin cuts segments of about a second: wait for a playlist worth playing
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Ffmpeg.countVideoFrames(hls, 1, 15) > 0 || !publisher.isAlive());
            int frames = Ffmpeg.countVideoFrames(hls, 2, 30);
            assertThat(frames).as("HLS of the RTSP publish, decoded through the proxy; origin: %s",
                    origins.get(held).output()).isGreaterThan(20);
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).as("one key for both protocols").contains("relay-" + held);
            assertThat(origins.get(1 - held).recordedFrames("/live/pub")).isZero();
        }
    }

    @Test
    void whenThePublishersOriginDiesTheRepublishAndItsPlayersGoToTheSurvivor() {
        String url = RtspHarness.url(proxy, "/live/pub");
        int victim;
        try (Proc publisher = Ffmpeg.publishRtsp(url)) {
            victim = awaitPublished(publisher);
            origins.get(victim).kill();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !publisher.isAlive());
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RtspHarness.rtsp(proxy).activeSessions() == 0);
        int survivor = 1 - victim;
        try (Proc publisher = Ffmpeg.publishRtsp(url)) {
            assertThat(awaitPublished(publisher)).as("the republish lands on the live origin").isEqualTo(survivor);
            int frames = Ffmpeg.countRtspVideoFrames(url, "tcp", 2, 30);
            assertThat(frames).as("played from the survivor; origin: %s", origins.get(survivor).output())
                    .isGreaterThan(20);
            assertThat(RtspHarness.pinned(proxy.store(), KEY)).contains("relay-" + survivor);
        }
    }

    /** Waits until one origin has taken in a second more of the publisher's video; returns its index. */
    private int awaitPublished(Proc publisher) {
        int[] before = origins.stream().mapToInt(o -> o.recordedFrames("/live/pub")).toArray();
        int[] held = {-1};
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int i = 0; i < origins.size(); i++) {
                if (origins.get(i).recordedFrames("/live/pub") > before[i] + 25) {
                    held[0] = i;
                }
            }
            return held[0] >= 0 || !publisher.isAlive();
        });
        assertThat(publisher.isAlive()).as("publisher: %s", publisher.output()).isTrue();
        return held[0];
    }
}

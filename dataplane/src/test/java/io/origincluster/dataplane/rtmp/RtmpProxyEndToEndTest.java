package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.pinnedBackend;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ffmpeg publishes through the proxy to real nginx-rtmp origins; ffprobe plays through the proxy. */
class RtmpProxyEndToEndTest {

    private static List<NginxRtmpOrigin> origins;
    private static Dataplane proxy;

    @BeforeAll
    static void start() throws Exception {
        origins = List.of(NginxRtmpOrigin.start(), NginxRtmpOrigin.start(), NginxRtmpOrigin.start());
        proxy = RtmpProxyHarness.start(Map.of());
        for (int i = 0; i < origins.size(); i++) {
            register(proxy.store(), "origin-" + i, origins.get(i));
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origins.forEach(NginxRtmpOrigin::close);
    }

    @Test
    void tenConcurrentStreamsAreSpreadOverTheOriginsByThePlacementPolicy() throws Exception {
        List<Proc> publishers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                publishers.add(Ffmpeg.publishRtmp(url(proxy, "spread" + i)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> IntStream.range(0, 10)
                    .allMatch(i -> pinnedBackend(proxy.store(), key("spread" + i)).isPresent()));
            Map<String, Long> perOrigin = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                String backend = pinnedBackend(proxy.store(), key("spread" + i)).orElseThrow();
                perOrigin.merge(backend, 1L, Long::sum);
                NginxRtmpOrigin pinned = origins.get(Integer.parseInt(backend.substring("origin-".length())));
                String stream = "spread" + i;
                // every stream really runs on the origin it is pinned to
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> Files.exists(pinned.hlsDir().resolve(stream + ".m3u8")));
            }
            assertThat(perOrigin).as("streams per origin").hasSize(3);
            assertThat(perOrigin.values()).allMatch(n -> n >= 2 && n <= 5);
            assertThat(RtmpProxyHarness.rtmp(proxy).relayingSessions()).isEqualTo(10);
        } finally {
            publishers.forEach(Proc::close);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }

    private static String key(String stream) {
        return StreamKey.fromRtmp("rtmp://127.0.0.1/live", stream).toString();
    }

    @Test
    void publishAndPlayThroughTheProxyLandOnThePinnedOrigin() {
        try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "e2e?token=abc"))) {
            String key = key("e2e");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pinnedBackend(proxy.store(), key).isPresent());
            int index = Integer.parseInt(pinnedBackend(proxy.store(), key).orElseThrow().substring("origin-".length()));
            NginxRtmpOrigin pinned = origins.get(index);
            // the origin that holds the pin really receives the stream (nginx writes HLS for it)
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(pinned.hlsDir().resolve("e2e.m3u8")));
            for (int i = 0; i < origins.size(); i++) {
                if (i != index) {
                    assertThat(origins.get(i).hlsDir().resolve("e2e.m3u8")).doesNotExist();
                }
            }
            int frames = Ffmpeg.countVideoFrames(url(proxy, "e2e"), 2, 20);
            assertThat(frames).as("frames via proxy; publisher: %s", pub.output()).isGreaterThan(25);
            // ffmpeg and ffprobe both use the digest handshake, and ffprobe (a reader) verifies the proxy's S1/S2
            assertThat(RtmpProxyHarness.rtmp(proxy).digestHandshakes()).isGreaterThanOrEqualTo(2);
            int direct = Ffmpeg.countVideoFrames("rtmp://127.0.0.1:" + pinned.rtmpPort() + "/live/e2e", 1, 20);
            assertThat(direct).as("frames read from the pinned origin directly").isGreaterThan(10);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
    }
}

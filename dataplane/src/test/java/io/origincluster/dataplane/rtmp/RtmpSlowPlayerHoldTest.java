package io.origincluster.dataplane.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.testkit.NginxRtmpOrigin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The player hold ends a player whose stream went quiet. A player that stops reading makes its own silence: the
 * proxy stops reading its origin leg while the player's socket is full. Such a player must not be taken for one whose
 * stream is gone (the bench's scale run lost thousands of players this way on a starved machine).
 */
class RtmpSlowPlayerHoldTest {

    private static final String TC_URL = "rtmp://127.0.0.1/live";

    @Test
    void aPlayerThatPausesReadingLongerThanTheHoldKeepsPlaying() throws Exception {
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Dataplane proxy = RtmpProxyHarness.start(Map.of("PROXY_PLAYER_HOLD", "1s"))) {
            RtmpProxyHarness.register(proxy.store(), "origin-0", origin);
            try (RawRtmpClient player = RawRtmpClient.open(proxy.port("rtmp"), 4096);
                 RawRtmpClient pub = RawRtmpClient.open(proxy.port("rtmp"))) {
                assertThat(player.start(TC_URL, "pause", false).info().get("code")).isEqualTo("NetStream.Play.Start");
                assertThat(pub.start(TC_URL, "pause", true).info().get("code")).isEqualTo("NetStream.Publish.Start");
                AtomicBoolean publishing = new AtomicBoolean(true);
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    try {
                        pub.send(video(0, RtmpRelayTest.SEQUENCE_HEADER));
                        for (int i = 0; publishing.get(); i++) {
                            // keyframes only, so the origin may drop frames for the paused player without breaking it
                            pub.send(video(40L * i, RtmpRelayTest.frame(i, 50_000, true)));
                            Thread.sleep(20);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // the player takes its first frames, then reads nothing for five holds
                int before = 0;
                while (before < 5) {
                    RtmpMessage m = player.read();
                    assertThat(m).as("player closed before pausing").isNotNull();
                    if (m.type() == RtmpMessage.VIDEO) {
                        before++;
                    }
                    m.release();
                }
                Thread.sleep(5_000);
                assertThat(RtmpProxyHarness.rtmp(proxy).relayingSessions()).as("sessions relaying after the pause")
                        .isEqualTo(2);
                int after = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (after < 50 && System.nanoTime() < deadline) {
                    RtmpMessage m = player.read();
                    assertThat(m).as("the proxy ended the paused player after %d frames", after).isNotNull();
                    if (m.type() == RtmpMessage.VIDEO) {
                        after++;
                    }
                    m.release();
                }
                publishing.set(false);
                sender.get(10, TimeUnit.SECONDS);
                assertThat(after).as("frames after the pause").isEqualTo(50);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> RtmpProxyHarness.rtmp(proxy).activeSessions() == 0);
        }
    }

    private static RtmpMessage video(long ts, byte[] payload) {
        return new RtmpMessage(6, RtmpMessage.VIDEO, ts, 1, Unpooled.wrappedBuffer(payload));
    }
}

package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.io.DataInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A player that stops reading must stop the proxy reading its origin: the proxy's buffers stay bounded, the
 * origin's writes stall, and when the player reads again every frame arrives, in order.
 */
class RtspBackpressureTest {

    @Test
    void aStalledPlayerStallsTheOriginAndLosesNothing() throws Exception {
        try (FloodingRtspOrigin origin = new FloodingRtspOrigin();
             Dataplane proxy = RtspHarness.start(Map.of("PROXY_RTSP_IDLE_TIMEOUT", "30s"))) {
            RtspHarness.join(proxy.store().register(Backend.of("flood", "127.0.0.1", Map.of(
                    Protocol.RTMP, List.of(Endpoint.parse("1", "tcp")),
                    Protocol.RTSP, List.of(Endpoint.parse(Integer.toString(origin.port()), "tcp"))),
                    BackendSource.REGISTER), Duration.ofMinutes(1)));
            int port = proxy.port("rtsp");
            String base = "rtsp://127.0.0.1:" + port + "/live/flood";
            try (RawRtsp c = new RawRtsp(port)) {
                RawRtsp.Response d = c.request("DESCRIBE", base, 1);
                assertThat(d.body()).contains("a=control:" + base + "/t0");
                assertThat(c.request("SETUP", base + "/t0", 2, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1")
                        .status()).isEqualTo(200);
                c.send("PLAY " + base + "/ RTSP/1.0\r\nCSeq: 3\r\nSession: 42\r\n\r\n");
                Thread.sleep(2000); // the player reads nothing
                long stalledAt = origin.bytesWritten();
                long pending = RtspHarness.rtsp(proxy).maxPendingWriteBytes();
                Thread.sleep(1000);
                long later = origin.bytesWritten();
                assertThat(pending).as("proxy backlog while the player is stalled").isLessThan(4L << 20);
                assertThat(stalledAt).as("origin bytes the TCP buffers and the proxy took").isLessThan(64L << 20);
                assertThat(later - stalledAt).as("origin writes while stalled").isLessThan(1L << 20);
                assertThat(RtspHarness.rtsp(proxy).streamingSessions()).isEqualTo(1);
                readInOrder(c, 20_000);
                assertThat(origin.bytesWritten()).as("the origin goes on once the player reads").isGreaterThan(later);
            }
        }
    }

    /** Skips the PLAY answer, then checks {@code frames} frames carry consecutive sequence numbers from 0. */
    private static void readInOrder(RawRtsp c, int frames) throws Exception {
        RawRtsp.Response play = c.read();
        assertThat(play.status()).isEqualTo(200);
        assertThat(play.header("CSeq")).isEqualTo("3");
        DataInputStream in = new DataInputStream(c.input());
        byte[] payload = new byte[FloodingRtspOrigin.FRAME];
        for (int i = 0; i < frames; i++) {
            assertThat(in.readUnsignedByte()).as("frame %d starts with $", i).isEqualTo('$');
            assertThat(in.readUnsignedByte()).isZero();
            assertThat(in.readUnsignedShort()).isEqualTo(FloodingRtspOrigin.FRAME);
            in.readFully(payload);
            int seq = ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
            assertThat(seq).isEqualTo(i);
        }
    }
}

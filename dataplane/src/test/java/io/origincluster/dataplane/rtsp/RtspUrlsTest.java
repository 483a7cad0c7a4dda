package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.routing.StreamKey;
import org.junit.jupiter.api.Test;

class RtspUrlsTest {

    @Test
    void theStreamKeyIsRtmpsForTheSameAppAndStream() {
        assertThat(RtspUrls.key(RtspUrls.parse("rtsp://127.0.0.1:18554/live/cam1")))
                .isEqualTo(StreamKey.fromRtmp("rtmp://127.0.0.1/live", "cam1"));
        assertThat(RtspUrls.key(RtspUrls.parse("rtsp://user:pw@proxy.example.com/live/cam1/?token=x")).toString())
                .isEqualTo("proxy.example.com/live/cam1");
        assertThat(RtspUrls.key(RtspUrls.parse("rtsp://10.0.0.1/a/b/cam1?vhost=v.example")).toString())
                .isEqualTo("v.example/a/b/cam1");
        assertThat(RtspUrls.parse("*")).isNull();
        assertThatThrownBy(() -> RtspUrls.key(RtspUrls.parse("rtsp://h/cam1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void laterRequestsMustStayUnderTheStream() {
        String path = RtspUrls.streamPath(RtspUrls.parse("rtsp://h/live/cam1/"));
        assertThat(RtspUrls.under(RtspUrls.parse("rtsp://h/live/cam1/trackID=1"), path)).isTrue();
        assertThat(RtspUrls.under(RtspUrls.parse("rtsp://h/live/cam1?x=1"), path)).isTrue();
        assertThat(RtspUrls.under(RtspUrls.parse("rtsp://h/live/cam10"), path)).isFalse();
        assertThat(RtspUrls.under(RtspUrls.parse("rtsp://h/live/other"), path)).isFalse();
    }

    @Test
    void originUrlsAreRepointedAndRelativeOnesKept() {
        assertThat(RtspUrls.repoint("url=rtsp://10.0.0.7:8554/live/cam1/stream=0;seq=1;rtptime=2,"
                + "url=rtsp://10.0.0.7:8554/live/cam1/stream=1;seq=3", "proxy:18554"))
                .isEqualTo("url=rtsp://proxy:18554/live/cam1/stream=0;seq=1;rtptime=2,"
                        + "url=rtsp://proxy:18554/live/cam1/stream=1;seq=3");
        String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\na=control:rtsp://10.0.0.7:8554/live/cam1\r\n"
                + "m=video 0 RTP/AVP 96\r\na=control:trackID=0\r\n";
        assertThat(RtspUrls.repointSdp(sdp, "[::1]:18554"))
                .isEqualTo(sdp.replace("rtsp://10.0.0.7:8554", "rtsp://[::1]:18554"));
    }

    @Test
    void udpTransportsAreDroppedAndInterleavedChannelsRead() {
        assertThat(TransportHeader.tcpOnly("RTP/AVP;unicast;client_port=1-2")).isNull();
        assertThat(TransportHeader.tcpOnly("RTP/AVP/TCP;multicast")).isNull();
        assertThat(TransportHeader.tcpOnly("RTP/AVP;unicast;client_port=1-2,RTP/AVP/TCP;unicast;interleaved=2-3"))
                .isEqualTo("RTP/AVP/TCP;unicast;interleaved=2-3");
        assertThat(TransportHeader.channels("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1")).containsExactly(2, 3);
        assertThat(TransportHeader.channels("RTP/AVP/TCP;interleaved=7")).containsExactly(7);
        assertThat(TransportHeader.channels("RTP/AVP/TCP;interleaved=300-301")).isEmpty();
    }

    @Test
    void theProxysTokenIsRemovedFromUrlsForTheOrigin() {
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?token=a.b-c_d/streamid=0"))
                .isEqualTo("rtsp://h/live/pub/streamid=0");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?token=abc")).isEqualTo("rtsp://h/live/pub");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?a=1&token=abc&b=2")).isEqualTo("rtsp://h/live/pub?a=1&b=2");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?token=abc&vhost=v")).isEqualTo("rtsp://h/live/pub?vhost=v");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?vhost=v&token=abc")).isEqualTo("rtsp://h/live/pub?vhost=v");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub?xtoken=abc")).isEqualTo("rtsp://h/live/pub?xtoken=abc");
        assertThat(RtspUrls.withoutToken("rtsp://h/live/pub/")).isEqualTo("rtsp://h/live/pub/");
    }
}

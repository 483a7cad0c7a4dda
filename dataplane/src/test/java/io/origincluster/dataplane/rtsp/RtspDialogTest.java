package io.origincluster.dataplane.rtsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.rtsp.codec.RtspMessage;
import org.junit.jupiter.api.Test;

class RtspDialogTest {

    private static RtspMessage request(String method, int cseq) {
        return RtspMessage.request(method, "rtsp://h/live/a").add("CSeq", Integer.toString(cseq));
    }

    private static RtspMessage ok(int cseq, String transport) {
        RtspMessage r = RtspMessage.response(200, "OK").add("CSeq", Integer.toString(cseq));
        return transport == null ? r : r.add("Transport", transport);
    }

    @Test
    void setupAnswersOpenTheirChannelsAndOnlyThem() {
        RtspDialog d = new RtspDialog();
        d.sent(request("SETUP", 1));
        assertThat(d.clientMaySend(0)).isFalse();
        assertThat(d.answered(ok(1, "RTP/AVP/TCP;unicast;interleaved=4-5"))).isEqualTo("SETUP");
        assertThat(d.clientMaySend(4)).isTrue();
        assertThat(d.clientMaySend(5)).isTrue();
        assertThat(d.clientMaySend(0)).isFalse();
        d.sent(request("SETUP", 2));
        assertThat(d.answered(RtspMessage.response(461, "Unsupported Transport").add("CSeq", "2")
                .add("Transport", "RTP/AVP/TCP;interleaved=6-7"))).isNull();
        assertThat(d.clientMaySend(6)).as("a refused SETUP opens nothing").isFalse();
        assertThat(d.answered(ok(99, null))).as("an answer to nothing sent").isNull();
    }

    @Test
    void unansweredRequestsAreBoundedAndTheOldestGoFirst() {
        RtspDialog d = new RtspDialog();
        for (int i = 0; i < 1000; i++) {
            d.sent(request("GET_PARAMETER", i));
        }
        assertThat(d.outstanding()).isEqualTo(RtspDialog.MAX_IN_FLIGHT);
        assertThat(d.answered(ok(0, null))).isNull();
        assertThat(d.answered(ok(999, null))).isEqualTo("GET_PARAMETER");
        d.clear();
        assertThat(d.outstanding()).isZero();
    }
}

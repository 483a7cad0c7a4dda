package io.origincluster.dataplane.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SdpTest {

    /** Shaped like a libwebrtc answer on a dual-stack host, plus the candidate kinds the proxy must drop. */
    static final String ANSWER = String.join("\r\n",
            "v=0",
            "o=- 4929140198019378487 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "m=application 51924 UDP/DTLS/SCTP webrtc-datachannel",
            "c=IN IP4 192.0.2.2",
            "a=candidate:3077952869 1 udp 2122265343 fd00::2 55355 typ host generation 0 network-id 2",
            "a=candidate:3229573512 1 udp 2122194687 192.0.2.2 51924 typ host generation 0 network-id 1",
            "a=candidate:4193659285 1 tcp 1518285567 192.0.2.2 9 typ host tcptype passive generation 0",
            "a=candidate:842163049 1 udp 1677729535 203.0.113.9 40000 typ srflx raddr 192.0.2.2 rport 51924",
            "a=ice-ufrag:CQ1s",
            "a=ice-pwd:n3TZ2fsEm9/uHnpUPYaXMsPl",
            "a=setup:active",
            "a=mid:0",
            "m=video 0 UDP/TLS/RTP/SAVPF 96",
            "c=IN IP4 0.0.0.0",
            "a=mid:1",
            "") ;

    @Test
    void rewritesHostCandidateIpAndPortAndDropsTheRest() {
        Sdp.RewrittenAnswer r = Sdp.rewriteAnswer(ANSWER, "198.51.100.7", 8000);
        assertThat(r.candidates()).isEqualTo(1);
        assertThat(r.sdp()).contains(
                "a=candidate:3077952869 1 udp 2122265343 198.51.100.7 8000 typ host generation 0 network-id 2\r\n");
        assertThat(r.sdp()).doesNotContain("192.0.2.2 51924").doesNotContain("tcptype").doesNotContain("srflx")
                .doesNotContain("fd00::2").doesNotContain("203.0.113.9");
        assertThat(r.sdp()).contains("m=application 8000 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 198.51.100.7\r\n");
        assertThat(r.sdp()).as("a rejected section keeps port 0").contains("m=video 0 UDP/TLS/RTP/SAVPF 96");
        assertThat(r.sdp()).contains("a=ice-ufrag:CQ1s\r\n").contains("a=setup:active\r\n").endsWith("a=mid:1\r\n");
        assertThat(r.originHost()).as("IPv4 preferred").isEqualTo("192.0.2.2");
        assertThat(r.originPort()).isEqualTo(51924);
    }

    @Test
    void ipv6AdvertisedAddressUsesIp6ConnectionLine() {
        Sdp.RewrittenAnswer r = Sdp.rewriteAnswer(ANSWER.replace("\r\n", "\n"), "2001:db8::1", 9000);
        assertThat(r.sdp()).contains("c=IN IP6 2001:db8::1\r\n").contains(" 2001:db8::1 9000 typ host");
    }

    @Test
    void malformedCandidatesAreDroppedNotFatal() {
        String sdp = "v=0\r\nm=audio 1 RTP/AVP 0\r\na=candidate:1 1 udp 1 10.0.0.1 notaport typ host\r\n"
                + "a=candidate:short\r\na=candidate:2 1 udp 1 10.0.0.2 70000 typ host\r\n";
        Sdp.RewrittenAnswer r = Sdp.rewriteAnswer(sdp, "127.0.0.1", 5000);
        assertThat(r.candidates()).isZero();
        assertThat(r.originHost()).isNull();
        assertThat(r.sdp()).doesNotContain("a=candidate");
    }

    @Test
    void readsIceCredentials() {
        assertThat(Sdp.iceUfrag(ANSWER)).isEqualTo("CQ1s");
        assertThat(Sdp.icePwd(ANSWER)).isEqualTo("n3TZ2fsEm9/uHnpUPYaXMsPl");
        assertThat(Sdp.iceUfrag("v=0\r\nm=audio 9 RTP/AVP 0\r\n")).isNull();
        assertThat(Sdp.iceUfrag("a=ice-ufrag:\r\n")).isNull();
        assertThat(Sdp.iceUfrag("a=ice-ufrag:bad:colon\r\n")).isNull();
        assertThat(Sdp.iceUfrag(null)).isNull();
    }

    @Test
    void offerLosesOnlyItsCandidates() {
        String stripped = Sdp.withoutCandidates(ANSWER);
        assertThat(stripped).doesNotContain("a=candidate").contains("a=ice-ufrag:CQ1s").contains("m=video 0");
        assertThat(Sdp.lines(stripped)).hasSize(Sdp.lines(ANSWER).size() - 4);
    }
}

package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.routing.StreamKey;
import org.junit.jupiter.api.Test;

/** Stream id forms and the key they give, which must equal the RTMP/HTTP key of the same stream. */
class SrtStreamIdTest {

    private static SrtStreamId parse(String s) throws SrtRejectException {
        return SrtStreamId.parse(s);
    }

    /** What an RTMP client of 127.0.0.1 gets for the same stream: the key SRT must reproduce. */
    private static StreamKey rtmpKey(String app, String stream) {
        return StreamKey.fromRtmp("rtmp://127.0.0.1:1935/" + app, stream);
    }

    @Test
    void accessControlSyntaxGivesTheSameKeyAsRtmpAndHttp() throws Exception {
        SrtStreamId id = parse("#!::r=live/livestream,m=publish");
        assertThat(id.mode()).isEqualTo(SrtMode.PUBLISH);
        assertThat(id.key()).isEqualTo(StreamKey.fromRtmp("rtmp://127.0.0.1/live", "livestream"));
        assertThat(id.key()).isEqualTo(rtmpKey("live", "livestream"));
        assertThat(parse("#!::m=request,r=live/livestream").key())
                .isEqualTo(StreamKey.fromHttp("localhost:8080", "/live/livestream.flv", java.util.Map.of()));
    }

    @Test
    void hostGivesTheVhostByTheSameRuleAsRtmp() throws Exception {
        assertThat(parse("#!::h=Example.COM,r=live/s").key().toString()).isEqualTo("example.com/live/s");
        assertThat(parse("#!::h=10.0.0.1,r=live/s").key().vhost()).isEqualTo(rtmpKey("a", "b").vhost());
        assertThat(parse("#!::h=localhost,r=live/s").key().vhost()).isEqualTo(rtmpKey("a", "b").vhost());
        assertThat(parse("#!::h=a.com,r=live/s?vhost=b.com").key().vhost()).isEqualTo("b.com");
    }

    @Test
    void modeDefaultsToRequestAndUnknownModesAreRefused() throws Exception {
        assertThat(parse("#!::r=live/s").mode()).isEqualTo(SrtMode.REQUEST);
        assertThatThrownBy(() -> parse("#!::r=live/s,m=bidirectional"))
                .isInstanceOfSatisfying(SrtRejectException.class, e -> assertThat(e.reason())
                        .isEqualTo(SrtReject.BAD_MODE));
        assertThatThrownBy(() -> parse("#!::r=live/s,m=PUBLISH")).isInstanceOf(SrtRejectException.class);
    }

    @Test
    void keysAreMatchedExactlyNotBySubstring() throws Exception {
        assertThatThrownBy(() -> parse("#!::xr=live/s")).isInstanceOfSatisfying(SrtRejectException.class,
                e -> assertThat(e.reason()).isEqualTo(SrtReject.BAD_REQUEST));
        SrtStreamId id = parse("#!::xr=evil/x,r=live/good,xh=evil.com,u=bob,s=123,t=stream,xm=publish");
        assertThat(id.key()).isEqualTo(rtmpKey("live", "good"));
        assertThat(id.mode()).isEqualTo(SrtMode.REQUEST);
    }

    @Test
    void shortFormsAreResources() throws Exception {
        SrtStreamId id = parse("live/livestream");
        assertThat(id.key()).isEqualTo(rtmpKey("live", "livestream"));
        assertThat(id.mode()).isEqualTo(SrtMode.REQUEST);
        assertThat(parse("live/livestream?vhost=v.example.org").key().toString())
                .isEqualTo("v.example.org/live/livestream");
        assertThat(parse("a/b/c").key()).isEqualTo(rtmpKey("a/b", "c"));
    }

    @Test
    void badStreamIdsAreRejectedAsBadRequests() {
        for (String bad : new String[] {"", "#!::", "#!::r=", "#!::r=live", "#!::r=live/", "#!::r=/s",
                "#!::r=live/s,r=live/t", "#!::r=live/s,,m=publish", "#!::r=live/s,garbage", "livestream",
                "live/../x", "li\u0001ve/s", "x".repeat(513)}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOfSatisfying(SrtRejectException.class,
                    e -> assertThat(e.reason()).isEqualTo(SrtReject.BAD_REQUEST));
        }
        assertThatThrownBy(() -> parse(null)).isInstanceOf(SrtRejectException.class);
    }
}

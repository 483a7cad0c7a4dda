package io.origincluster.dataplane.http.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.http.hls.PlaylistRewriter;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MpdRewriterTest {

    private static final String T = "oc_hls_token=TOKEN";
    private final MpdRewriter rewriter = new MpdRewriter(
            new PlaylistRewriter(Set.of("10.0.0.5:8080", "proxy.example:80"), "oc_hls_token", "TOKEN"));

    /** The shape a real SRS 7 origin writes (shared/reference/srs-http-api.md): a folder BaseURL, templates. */
    private static final String SRS = """
            <?xml version="1.0" encoding="utf-8"?>
            <MPD profiles="urn:mpeg:dash:profile:isoff-live:2011" xmlns="urn:mpeg:dash:schema:mpd:2011"
                type="dynamic" minimumUpdatePeriod="PT0.000S" availabilityStartTime="2026-12-02T05:23:19Z">
                <BaseURL>cap/</BaseURL>
                <Period start="PT0S">
                    <AdaptationSet mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
                        <Representation id="video" bandwidth="800000" codecs="avc1.64001e" width="640" height="360">
                            <SegmentTemplate initialization="$RepresentationID$-init.mp4"
                                media="$RepresentationID$-$Number$.m4s" startNumber="0" timescale="1000">
                                <SegmentTimeline><S t="23" d="4000" /><S t="4023" d="4000" /></SegmentTimeline>
                            </SegmentTemplate>
                        </Representation>
                    </AdaptationSet>
                </Period>
            </MPD>
            """;

    @Test
    void srsTemplatesGetTheTokenAndTheFolderBaseUrlStaysAsItIs() {
        String out = rewriter.rewrite(SRS);
        assertThat(out).contains("<BaseURL>cap/</BaseURL>")
                .contains("initialization=\"$RepresentationID$-init.mp4?" + T + "\"")
                .contains("media=\"$RepresentationID$-$Number$.m4s?" + T + "\"")
                .contains("<S d=\"4000\" t=\"23\"/>").contains("type=\"dynamic\"")
                .contains("xmlns=\"urn:mpeg:dash:schema:mpd:2011\"");
    }

    @Test
    void nginxTimeTemplatesAndFfmpegNumberFormatsKeepTheirPlaceholders() {
        String mpd = """
                <?xml version="1.0"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"><Period><AdaptationSet>
                <SegmentTemplate timescale="1000" media="fo-$Time$.m4v" initialization="fo-init.m4v"/>
                <Representation id="0"><SegmentTemplate media="chunk-stream$RepresentationID$-$Number%05d$.m4s?x=1"
                 initialization="init-stream$RepresentationID$.m4s"/></Representation>
                </AdaptationSet></Period></MPD>
                """;
        String out = rewriter.rewrite(mpd);
        assertThat(out).contains("media=\"fo-$Time$.m4v?" + T + "\"")
                .contains("initialization=\"fo-init.m4v?" + T + "\"")
                .contains("media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s?x=1&amp;" + T + "\"")
                .contains("initialization=\"init-stream$RepresentationID$.m4s?" + T + "\"");
    }

    @Test
    void absoluteUrlsOfTheOriginBecomeProxyRelativeAndForeignOnesStay() {
        String mpd = """
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><BaseURL>http://10.0.0.5:8080/live/cap/</BaseURL>
                <Period><BaseURL>https://cdn.example/x/</BaseURL><AdaptationSet><Representation id="a">
                <BaseURL>http://10.0.0.5:8080/live/one.mp4</BaseURL>
                <SegmentList><Initialization sourceURL="init.mp4"/>
                <SegmentURL media="http://10.0.0.5:8080/live/s1.m4s"/><SegmentURL media="s2.m4s" index="s2.idx"/>
                </SegmentList></Representation></AdaptationSet></Period></MPD>
                """;
        String out = rewriter.rewrite(mpd);
        assertThat(out).contains("<BaseURL>/live/cap/</BaseURL>")
                .contains("<BaseURL>https://cdn.example/x/</BaseURL>")
                .contains("<BaseURL>/live/one.mp4?" + T + "</BaseURL>")
                .contains("sourceURL=\"init.mp4?" + T + "\"")
                .contains("media=\"/live/s1.m4s?" + T + "\"")
                .contains("media=\"s2.m4s?" + T + "\"").contains("index=\"s2.idx?" + T + "\"");
    }

    @Test
    void anOldTokenIsReplacedNotDoubled() {
        String out = rewriter.rewrite("<MPD><Period><SegmentTemplate media=\"a-$Number$.m4s?oc_hls_token=OLD\"/>"
                + "</Period></MPD>");
        assertThat(out).contains("media=\"a-$Number$.m4s?" + T + "\"").doesNotContain("OLD");
    }

    @Test
    void doctypesAndExternalEntitiesAreRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<MPD><BaseURL>&x;</BaseURL></MPD>";
        assertThatThrownBy(() -> rewriter.rewrite(xxe)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed MPD");
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                + "<MPD>&b;</MPD>";
        assertThatThrownBy(() -> rewriter.rewrite(bomb)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedXmlAndOtherRootsAreErrors() {
        assertThatThrownBy(() -> rewriter.rewrite("<MPD><Period></MPD>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed MPD");
        assertThatThrownBy(() -> rewriter.rewrite("<html><body>oops</body></html>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not MPD");
        assertThatThrownBy(() -> rewriter.rewrite("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recognisesMpdsButNotHtml() {
        assertThat(MpdRewriter.looksLikeMpd(SRS)).isTrue();
        assertThat(MpdRewriter.looksLikeMpd("\uFEFF<MPD>")).isTrue();
        assertThat(MpdRewriter.looksLikeMpd("<!DOCTYPE html><html>")).isFalse();
        assertThat(MpdRewriter.looksLikeMpd("not found")).isFalse();
    }
}

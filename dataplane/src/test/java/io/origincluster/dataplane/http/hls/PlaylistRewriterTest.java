package io.origincluster.dataplane.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PlaylistRewriterTest {

    private static final String T = "tok.EN-1_x";
    private final PlaylistRewriter rw = new PlaylistRewriter(Set.of("10.0.0.5:8080", "proxy.example.com:80"),
            "oc_hls_token", T);

    @Test
    void mediaPlaylistSegmentsGetTheTokenAndNothingElseChanges() {
        String in = """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-MEDIA-SEQUENCE:7
                #EXTINF:2.000,live.ts title
                livestream-7.ts
                #EXTINF:2.000,
                /live/livestream-8.ts
                #EXT-X-DISCONTINUITY
                #EXTINF:1.500,
                sub/dir/seg.ts
                """;
        assertThat(rw.rewrite(in)).isEqualTo("""
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-MEDIA-SEQUENCE:7
                #EXTINF:2.000,live.ts title
                livestream-7.ts?oc_hls_token=tok.EN-1_x
                #EXTINF:2.000,
                /live/livestream-8.ts?oc_hls_token=tok.EN-1_x
                #EXT-X-DISCONTINUITY
                #EXTINF:1.500,
                sub/dir/seg.ts?oc_hls_token=tok.EN-1_x
                """);
    }

    @Test
    void masterPlaylistVariantsAndRenditionsAreRewritten() {
        String in = "#EXTM3U\r\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"en, main\",URI=\"audio/en.m3u8\",DEFAULT=YES\r\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.42e01e,mp4a.40.2\",AUDIO=\"aud\"\r\n"
                + "hi.m3u8\r\n"
                + "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI=\"iframes.m3u8\"\r\n";
        assertThat(rw.rewrite(in)).isEqualTo("#EXTM3U\r\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"en, main\",URI=\"audio/en.m3u8?oc_hls_token=" + T
                + "\",DEFAULT=YES\r\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.42e01e,mp4a.40.2\",AUDIO=\"aud\"\r\n"
                + "hi.m3u8?oc_hls_token=" + T + "\r\n"
                + "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI=\"iframes.m3u8?oc_hls_token=" + T + "\"\r\n");
    }

    @Test
    void fmp4InitSegmentKeysAndAacAreRewritten() {
        String in = """
                #EXTM3U
                #EXT-X-VERSION:7
                #EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
                #EXT-X-KEY:METHOD=AES-128,URI="https://10.0.0.5:8080/keys/k1.key?kid=3",IV=0x1
                #EXTINF:2.0,
                seg-1.m4s
                #EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://fairplay-key",KEYFORMAT="com.apple.streamingkeydelivery"
                #EXTINF:2.0,
                audio-1.aac
                #EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg-2.m4s"
                """;
        String out = rw.rewrite(in);
        assertThat(out).contains("#EXT-X-MAP:URI=\"init.mp4?oc_hls_token=" + T + "\",BYTERANGE=\"720@0\"")
                .contains("seg-1.m4s?oc_hls_token=" + T + "\n")
                .contains("audio-1.aac?oc_hls_token=" + T + "\n")
                .contains("URI=\"skd://fairplay-key\"")
                .contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg-2.m4s?oc_hls_token=" + T + "\"");
        // the key lives on the origin (absolute URI with the origin's authority): proxy-relative, query kept
        assertThat(out).contains("URI=\"/keys/k1.key?kid=3&oc_hls_token=" + T + "\"");
    }

    @Test
    void absoluteUrisToTheOriginBecomeProxyRelativeOthersStay() {
        assertThat(rw.rewriteUri("http://10.0.0.5:8080/live/a-1.ts"))
                .isEqualTo("/live/a-1.ts?oc_hls_token=" + T);
        assertThat(rw.rewriteUri("HTTP://user@10.0.0.5:8080/live/a-1.ts?x=1#t=3"))
                .isEqualTo("/live/a-1.ts?x=1&oc_hls_token=" + T + "#t=3");
        assertThat(rw.rewriteUri("http://proxy.example.com/live/a.ts")).isEqualTo("/live/a.ts?oc_hls_token=" + T);
        assertThat(rw.rewriteUri("//10.0.0.5:8080/live/a.ts")).isEqualTo("/live/a.ts?oc_hls_token=" + T);
        assertThat(rw.rewriteUri("http://cdn.example.net/live/a.ts")).isEqualTo("http://cdn.example.net/live/a.ts");
        assertThat(rw.rewriteUri("http://10.0.0.5:9999/live/a.ts")).isEqualTo("http://10.0.0.5:9999/live/a.ts");
        assertThat(rw.rewriteUri("data:text/plain;base64,AAAA")).isEqualTo("data:text/plain;base64,AAAA");
    }

    @Test
    void existingQueriesAreKeptAndAnOldTokenIsReplaced() {
        assertThat(rw.rewriteUri("a.ts?hls_ctx=xyz&b=1")).isEqualTo("a.ts?hls_ctx=xyz&b=1&oc_hls_token=" + T);
        assertThat(rw.rewriteUri("a.ts?oc_hls_token=old&b=1")).isEqualTo("a.ts?b=1&oc_hls_token=" + T);
        assertThat(rw.rewriteUri("a.ts?")).isEqualTo("a.ts?oc_hls_token=" + T);
        assertThat(rw.rewriteUri("a:b.ts")).as("a colon after no scheme chars").isEqualTo("a:b.ts");
        assertThat(rw.rewriteUri("x/a:b.ts")).isEqualTo("x/a:b.ts?oc_hls_token=" + T);
    }

    @Test
    void srsHlsCtxRedirectPlaylistIsFollowedByTheToken() {
        String in = """
                #EXTM3U
                #EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1
                /live/livestream.m3u8?hls_ctx=a1b2c3
                """;
        assertThat(rw.rewrite(in)).contains("/live/livestream.m3u8?hls_ctx=a1b2c3&oc_hls_token=" + T + "\n");
        String media = "#EXTM3U\n#EXTINF:2.0, no desc\nlivestream-3.ts?hls_ctx=a1b2c3\n";
        assertThat(rw.rewrite(media)).endsWith("livestream-3.ts?hls_ctx=a1b2c3&oc_hls_token=" + T + "\n");
    }

    @Test
    void noBlindSubstringReplacement() {
        String in = "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.ts\",VALUE=\"URI=x.ts\"\n"
                + "#EXTINF:2,URI=\"not-a-uri.ts\"\n## comment with a.ts\nstream.ts.name-1.ts\n";
        String out = rw.rewrite(in);
        assertThat(out).contains("#EXT-X-SESSION-DATA:DATA-ID=\"com.example.ts\",VALUE=\"URI=x.ts\"\n")
                .contains("#EXTINF:2,URI=\"not-a-uri.ts\"\n")
                .contains("## comment with a.ts\n")
                .endsWith("stream.ts.name-1.ts?oc_hls_token=" + T + "\n");
    }

    @Test
    void malformedAttributeListsDoNotThrow() {
        for (String line : new String[] {"#EXT-X-MAP:URI=\"unterminated", "#EXT-X-MAP:", "#EXT-X-MAP:URI",
                "#EXT-X-KEY:,,,=,URI=", "#EXT-X-MEDIA:URI=\"\""}) {
            assertThat(rw.rewrite("#EXTM3U\n" + line + "\nseg.ts")).startsWith("#EXTM3U\n")
                    .endsWith("seg.ts?oc_hls_token=" + T);
        }
    }
}

package io.origincluster.dataplane.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.origincluster.dataplane.http.dash.MpdRewriter;
import io.origincluster.dataplane.http.hls.PlaylistRewriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Hostile HLS playlists and DASH MPDs from an origin, through the rewriters that sign every segment URI. A
 * playlist is rewritten line by line whatever it holds (never an exception, never a line lost); an MPD that is not
 * well-formed XML with an MPD root is refused with {@link IllegalArgumentException} (a 502). Anything else is a
 * finding. Seeds in {@code ManifestFuzzTestInputs/<method>/}.
 */
class ManifestFuzzTest {

    private static final PlaylistRewriter URIS = new PlaylistRewriter(Set.of("127.0.0.1:8080", "origin.test:80"),
            "oc_hls_token", "TOKEN");

    @FuzzTest(maxDuration = "60s")
    void hlsPlaylist(byte[] input) {
        String playlist = new String(input, StandardCharsets.UTF_8);
        String out = URIS.rewrite(playlist);
        if (out.split("\n", -1).length != playlist.split("\n", -1).length) {
            throw new IllegalStateException("the rewritten playlist has another number of lines");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void dashMpd(byte[] input) {
        String mpd = new String(input, StandardCharsets.UTF_8);
        MpdRewriter.looksLikeMpd(mpd.substring(0, Math.min(mpd.length(), 256)));
        try {
            new MpdRewriter(URIS).rewrite(mpd);
        } catch (IllegalArgumentException e) {
            // a clean refusal
        }
    }
}

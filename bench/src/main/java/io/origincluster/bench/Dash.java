package io.origincluster.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The segments scenario's DASH side ({@code --segments.format=dash}): a live MPD whose segments are listed one by
 * one ({@code SegmentList}/{@code SegmentURL}, as the proxy rewrites each with its token) and the client's reading
 * of a (possibly rewritten) MPD into the request targets of its segments.
 */
final class Dash {

    private static final Pattern SEGMENT_URL = Pattern.compile("<SegmentURL\\s[^>]*?media=\"([^\"]*)\"");

    private Dash() {
    }

    /** Which reader a manifest target needs: DASH for {@code .mpd}, HLS otherwise. */
    static List<String> segmentTargets(String manifest, String manifestTarget) {
        return manifestTarget.endsWith(".mpd") ? mpdTargets(manifest, manifestTarget)
                : Hls.segmentTargets(manifest, manifestTarget);
    }

    /** A dynamic MPD of one video representation listing {@code names}, 2 s each. */
    static String mpd(List<String> names) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" "
                + "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" availabilityStartTime=\"2026-01-01T00:00:00Z\" "
                + "minimumUpdatePeriod=\"PT2S\" minBufferTime=\"PT2S\" timeShiftBufferDepth=\"PT10S\">\n"
                + "  <Period id=\"0\" start=\"PT0S\">\n"
                + "    <AdaptationSet mimeType=\"video/mp4\" segmentAlignment=\"true\">\n"
                + "      <Representation id=\"v0\" codecs=\"avc1.42c01e\" bandwidth=\"800000\" width=\"640\" "
                + "height=\"360\">\n"
                + "        <SegmentList timescale=\"1000\" duration=\"2000\" startNumber=\"0\">\n");
        for (String n : names) {
            sb.append("          <SegmentURL media=\"").append(n).append("\"/>\n");
        }
        return sb.append("        </SegmentList>\n      </Representation>\n    </AdaptationSet>\n  </Period>\n</MPD>\n")
                .toString();
    }

    /** Writes {@code <root>/<app>/<stream>.mpd} and its segments {@code <stream>-<i>.m4s} (random bytes). */
    static void write(Path root, String app, String stream, int[] sizes) throws IOException {
        Path dir = Files.createDirectories(root.resolve(app));
        Random r = new Random(42);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] b = new byte[sizes[i]];
            r.nextBytes(b);
            String name = stream + "-" + i + ".m4s";
            Files.write(dir.resolve(name), b);
            names.add(name);
        }
        Files.writeString(dir.resolve(stream + ".mpd"), mpd(names), StandardCharsets.UTF_8);
    }

    /** SegmentURL {@code media} targets resolved against the MPD's own target (the proxy keeps them relative). */
    static List<String> mpdTargets(String mpd, String mpdTarget) {
        URI base = URI.create("http://target" + mpdTarget);
        List<String> out = new ArrayList<>();
        Matcher m = SEGMENT_URL.matcher(mpd);
        while (m.find()) {
            URI u = base.resolve(m.group(1).replace("&amp;", "&"));
            String q = u.getRawQuery();
            out.add(u.getRawPath() + (q == null ? "" : "?" + q));
        }
        return out;
    }
}

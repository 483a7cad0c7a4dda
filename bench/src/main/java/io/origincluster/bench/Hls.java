package io.origincluster.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The segments scenario's HLS side: the fixed playlist and segment files the origin serves, and the client's
 * reading of a (possibly rewritten) media playlist into the request targets of its segments.
 */
final class Hls {

    static final int TS_PACKET = 188;

    private Hls() {
    }

    /**
     * Sizes of {@code count} segments averaging {@code averageBytes}, spread evenly from half to one and a half
     * times the average (200 KB x 5: 100, 150, 200, 250, 300 KB), each a whole number of TS packets.
     */
    static int[] segmentSizes(int count, int averageBytes) {
        if (count < 1 || averageBytes < TS_PACKET * 2) {
            throw new IllegalArgumentException("need at least one segment of at least " + TS_PACKET * 2 + " bytes");
        }
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            double f = count == 1 ? 1.0 : 0.5 + (double) i / (count - 1);
            sizes[i] = Math.max(1, (int) (averageBytes * f) / TS_PACKET) * TS_PACKET;
        }
        return sizes;
    }

    /** A live media playlist (no ENDLIST) of {@code names}, 2 s each, as nginx-rtmp writes one. */
    static String playlist(List<String> names) {
        StringBuilder sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n"
                + "#EXT-X-TARGETDURATION:2\n");
        for (String n : names) {
            sb.append("#EXTINF:2.000,\n").append(n).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes {@code <root>/<app>/<stream>.m3u8} and its segments {@code <stream>-<i>.ts}: TS packets (sync byte,
     * one PID, continuity counter) with pseudo-random payload, so nothing on the way can compress them.
     */
    static void write(Path root, String app, String stream, int[] sizes) throws IOException {
        Path dir = Files.createDirectories(root.resolve(app));
        Random r = new Random(42);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] b = new byte[sizes[i]];
            r.nextBytes(b);
            for (int p = 0, cc = 0; p + TS_PACKET <= b.length; p += TS_PACKET, cc++) {
                b[p] = 0x47;
                b[p + 1] = 0x01;
                b[p + 2] = 0x00;
                b[p + 3] = (byte) (0x10 | (cc & 0x0f));
            }
            String name = stream + "-" + i + ".ts";
            Files.write(dir.resolve(name), b);
            names.add(name);
        }
        Files.writeString(dir.resolve(stream + ".m3u8"), playlist(names), StandardCharsets.UTF_8);
    }

    /**
     * The request targets (path and query) of a media playlist's segments, resolved against the playlist's own
     * target: relative URIs (what the proxy's rewriter keeps, with its token in the query) and absolute ones
     * (their path and query; the client keeps talking to the host it has).
     */
    static List<String> segmentTargets(String playlist, String playlistTarget) {
        URI base = URI.create("http://target" + playlistTarget);
        List<String> out = new ArrayList<>();
        for (String line : playlist.split("\r?\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            URI u = base.resolve(l);
            String q = u.getRawQuery();
            out.add(u.getRawPath() + (q == null ? "" : "?" + q));
        }
        return out;
    }
}

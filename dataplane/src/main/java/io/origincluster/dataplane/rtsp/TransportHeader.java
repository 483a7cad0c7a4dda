package io.origincluster.dataplane.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy relays RTP only interleaved on the RTSP connection. A SETUP's Transport keeps its TCP alternatives;
 * with none (UDP, multicast) the proxy answers 461 Unsupported Transport, on which clients such as ffmpeg and
 * GStreamer retry over TCP.
 */
final class TransportHeader {

    private static final Pattern INTERLEAVED = Pattern.compile("(?i)interleaved=(\\d{1,3})(?:-(\\d{1,3}))?");

    private TransportHeader() {
    }

    /** The TCP transport specs of {@code value}, in the client's order, or null when it offers none. */
    static String tcpOnly(String value) {
        if (value == null) {
            return null;
        }
        List<String> keep = new ArrayList<>();
        for (String spec : value.split(",")) {
            String s = spec.trim();
            String lower = s.toLowerCase(Locale.ROOT);
            String profile = lower.split(";", 2)[0];
            if (profile.endsWith("/tcp") && !lower.contains("multicast")) {
                keep.add(s);
            }
        }
        return keep.isEmpty() ? null : String.join(",", keep);
    }

    /** The interleaved channels a transport names (one or two), or an empty array. */
    static int[] channels(String value) {
        if (value == null) {
            return new int[0];
        }
        Matcher m = INTERLEAVED.matcher(value);
        if (!m.find()) {
            return new int[0];
        }
        int a = Integer.parseInt(m.group(1));
        if (a > 255) {
            return new int[0];
        }
        if (m.group(2) == null) {
            return new int[] {a};
        }
        int b = Integer.parseInt(m.group(2));
        return b > 255 ? new int[] {a} : new int[] {a, b};
    }
}

package io.origincluster.dataplane.webrtc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The few SDP edits the proxy needs, done line by line (never by substring replacement): reading ICE
 * credentials, removing a client's candidates from an offer, and pointing an origin's answer at the proxy.
 */
public final class Sdp {

    private static final int MAX_UFRAG = 256;

    private Sdp() {
    }

    /** The first {@code a=ice-ufrag} (session or media level), or null when absent or not ICE characters. */
    public static String iceUfrag(String sdp) {
        return iceAttribute(sdp, "a=ice-ufrag:");
    }

    /** The first {@code a=ice-pwd}, or null. */
    public static String icePwd(String sdp) {
        return iceAttribute(sdp, "a=ice-pwd:");
    }

    private static String iceAttribute(String sdp, String prefix) {
        if (sdp == null) {
            return null;
        }
        for (String line : lines(sdp)) {
            if (line.startsWith(prefix)) {
                String v = line.substring(prefix.length()).trim();
                return isIceChars(v) ? v : null;
            }
        }
        return null;
    }

    /** RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/", which also keeps store keys clean. */
    static boolean isIceChars(String v) {
        if (v.isEmpty() || v.length() > MAX_UFRAG) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The offer without its {@code a=candidate} lines. A full-ICE origin would otherwise send checks straight to
     * the client's addresses and bypass the proxy; without them it learns the proxy's backend socket as a
     * peer-reflexive candidate from the relayed checks. ICE-lite origins (SRS) ignore offer candidates anyway.
     */
    public static String withoutCandidates(String offer) {
        StringBuilder out = new StringBuilder(offer.length());
        for (String line : lines(offer)) {
            if (!line.startsWith("a=candidate:")) {
                out.append(line).append("\r\n");
            }
        }
        return out.toString();
    }

    /**
     * An answer rewritten for the proxy, plus the origin's own UDP host candidate (IPv4 preferred), which is
     * where the proxy sends the session's media when the origin registers no RTC endpoint.
     */
    public record RewrittenAnswer(String sdp, String originHost, int originPort, int candidates) {
    }

    /**
     * Points every media section at the proxy: the first UDP host candidate of each section and component gets the
     * advertised host and the proxy's port; further UDP host candidates of that section (the same origin on other
     * interfaces) would duplicate it and are dropped; TCP, server-reflexive and relay candidates are dropped because
     * they lead to the origin without passing the proxy. {@code m=}, {@code c=} and {@code a=rtcp} lines follow.
     */
    public static RewrittenAnswer rewriteAnswer(String answer, String advertisedHost, int proxyPort) {
        String addrType = advertisedHost.indexOf(':') >= 0 ? "IP6" : "IP4";
        StringBuilder out = new StringBuilder(answer.length());
        Set<String> rewrittenComponents = new HashSet<>();
        String originV4 = null;
        String originV6 = null;
        int originV4Port = 0;
        int originV6Port = 0;
        int rewritten = 0;
        int section = 0;
        for (String line : lines(answer)) {
            if (line.startsWith("m=")) {
                section++;
                line = replaceToken(line, 1, Integer.toString(proxyPort), true);
            } else if (line.startsWith("c=IN ")) {
                line = "c=IN " + addrType + " " + advertisedHost;
            } else if (line.startsWith("a=rtcp:")) {
                line = "a=rtcp:" + proxyPort + " IN " + addrType + " " + advertisedHost;
            } else if (line.startsWith("a=candidate:")) {
                String[] t = line.split(" ");
                if (t.length < 8 || !t[6].equals("typ") || !t[2].equalsIgnoreCase("udp") || !t[7].equals("host")) {
                    continue;
                }
                int port = parsePort(t[5]);
                if (port < 0) {
                    continue;
                }
                if (t[4].indexOf(':') >= 0) {
                    if (originV6 == null) {
                        originV6 = t[4];
                        originV6Port = port;
                    }
                } else if (originV4 == null) {
                    originV4 = t[4];
                    originV4Port = port;
                }
                if (!rewrittenComponents.add(section + "/" + t[1])) {
                    continue;
                }
                t[4] = advertisedHost;
                t[5] = Integer.toString(proxyPort);
                line = String.join(" ", t);
                rewritten++;
            }
            out.append(line).append("\r\n");
        }
        String host = originV4 != null ? originV4 : originV6;
        int port = originV4 != null ? originV4Port : originV6Port;
        return new RewrittenAnswer(out.toString(), host, port, rewritten);
    }

    private static String replaceToken(String line, int index, String value, boolean keepZero) {
        String[] t = line.split(" ");
        if (t.length <= index || keepZero && t[index].equals("0")) {
            return line; // port 0 marks a rejected section; it must stay 0
        }
        t[index] = value;
        return String.join(" ", t);
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int p = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            p = p * 10 + (c - '0');
        }
        return p >= 1 && p <= 65535 ? p : -1;
    }

    static List<String> lines(String sdp) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = sdp.length();
        while (i < n) {
            int nl = sdp.indexOf('\n', i);
            int end = nl < 0 ? n : nl;
            int stop = end > i && sdp.charAt(end - 1) == '\r' ? end - 1 : end;
            if (stop > i) {
                out.add(sdp.substring(i, stop));
            }
            i = end + 1;
        }
        return out;
    }

}

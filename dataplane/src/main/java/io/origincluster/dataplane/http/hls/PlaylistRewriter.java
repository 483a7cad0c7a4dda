package io.origincluster.dataplane.http.hls;

import java.util.Locale;
import java.util.Set;

/**
 * Rewrites an HLS playlist (master or media) so that every URI the origin serves carries a routing token. The
 * playlist is parsed line by line: URI lines and the quoted {@code URI="..."} attribute of the tags that have one.
 * Comments, other attributes and URIs of other hosts (a CDN, {@code data:}, {@code skd://} keys) are left alone.
 *
 * <p>Relative URIs stay relative: the player resolves them against the proxy's playlist URL, which has the same
 * path as the origin's. Absolute URIs that name the origin (or the proxy itself) become proxy-relative.
 */
public final class PlaylistRewriter {

    /** Tags whose attribute list may carry a URI attribute (RFC 8216 and its successor draft). */
    private static final Set<String> URI_TAGS = Set.of("#EXT-X-MAP", "#EXT-X-KEY", "#EXT-X-SESSION-KEY",
            "#EXT-X-MEDIA", "#EXT-X-I-FRAME-STREAM-INF", "#EXT-X-PART", "#EXT-X-PRELOAD-HINT",
            "#EXT-X-RENDITION-REPORT", "#EXT-X-SESSION-DATA");

    private final Set<String> localAuthorities;
    private final String param;
    private final String token;

    /**
     * @param localAuthorities {@code host:port} forms (lower case, port always present) that mean "this origin or
     *                         this proxy"; absolute URIs with another authority are not touched
     * @param token            the URL-safe token added as {@code param}
     */
    public PlaylistRewriter(Set<String> localAuthorities, String param, String token) {
        this.localAuthorities = localAuthorities;
        this.param = param;
        this.token = token;
    }

    public String rewrite(String playlist) {
        StringBuilder out = new StringBuilder(playlist.length() + 256);
        int pos = 0;
        int n = playlist.length();
        while (pos < n) {
            int nl = playlist.indexOf('\n', pos);
            int end = nl < 0 ? n : nl;
            int contentEnd = end > pos && playlist.charAt(end - 1) == '\r' ? end - 1 : end;
            rewriteLine(playlist.substring(pos, contentEnd), out);
            out.append(playlist, contentEnd, nl < 0 ? n : nl + 1);
            pos = nl < 0 ? n : nl + 1;
        }
        return out.toString();
    }

    private void rewriteLine(String line, StringBuilder out) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            out.append(line);
        } else if (trimmed.startsWith("#")) {
            int colon = trimmed.indexOf(':');
            if (colon > 0 && URI_TAGS.contains(trimmed.substring(0, colon))) {
                rewriteAttributes(trimmed, colon + 1, out);
            } else {
                out.append(line);
            }
        } else {
            out.append(rewriteUri(trimmed));
        }
    }

    /** Walks NAME=VALUE pairs, honouring quoted values (which may hold commas), and rewrites URI="...". */
    private void rewriteAttributes(String line, int start, StringBuilder out) {
        int copied = 0;
        int i = start;
        int n = line.length();
        while (i < n) {
            int nameStart = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ',') {
                i++;
            }
            String name = line.substring(nameStart, i).strip();
            if (i < n && line.charAt(i) == '=') {
                i++;
                if (i < n && line.charAt(i) == '"') {
                    int close = line.indexOf('"', i + 1);
                    if (close < 0) {
                        break; // unterminated quote: leave the rest as the origin wrote it
                    }
                    if (name.equals("URI")) {
                        out.append(line, copied, i + 1).append(rewriteUri(line.substring(i + 1, close)));
                        copied = close;
                    }
                    i = close + 1;
                }
                while (i < n && line.charAt(i) != ',') {
                    i++;
                }
            }
            i++; // past the comma
        }
        out.append(line, copied, n);
    }

    /** The URI a player should request from a proxy, or {@code uri} unchanged when it is not the origin's. */
    public String rewriteUri(String uri) {
        if (uri.isEmpty()) {
            return uri;
        }
        String rest;
        if (uri.startsWith("//")) {
            rest = localPart(uri.substring(2), "http");
        } else {
            int colon = uri.indexOf(':');
            int slash = uri.indexOf('/');
            int query = uri.indexOf('?');
            boolean hasScheme = colon > 0 && (slash < 0 || colon < slash) && (query < 0 || colon < query)
                    && uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
            if (!hasScheme) {
                return withToken(uri);
            }
            String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || !uri.startsWith("//", colon + 1)) {
                return uri;
            }
            rest = localPart(uri.substring(colon + 3), scheme);
        }
        return rest == null ? uri : withToken(rest);
    }

    /**
     * A URI made proxy-relative when it names the origin (or this proxy), without a token: a DASH BaseURL folder,
     * which the player resolves leaf URLs against. Relative and foreign URIs come back unchanged.
     */
    public String localize(String uri) {
        String rest = null;
        if (uri.startsWith("//")) {
            rest = localPart(uri.substring(2), "http");
        } else {
            int colon = uri.indexOf(':');
            if (colon > 0 && uri.startsWith("//", colon + 1)) {
                String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
                if (scheme.equals("http") || scheme.equals("https")) {
                    rest = localPart(uri.substring(colon + 3), scheme);
                }
            }
        }
        return rest == null ? uri : rest;
    }

    /** For {@code authority/path...}: the path part when the authority is local, else null. */
    private String localPart(String afterSlashes, String scheme) {
        int end = afterSlashes.length();
        for (int i = 0; i < afterSlashes.length(); i++) {
            char c = afterSlashes.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = afterSlashes.substring(0, end).toLowerCase(Locale.ROOT);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        boolean hasPort = authority.startsWith("[") ? authority.contains("]:") : authority.indexOf(':') >= 0;
        if (!hasPort) {
            authority = authority + (scheme.equals("https") ? ":443" : ":80");
        }
        if (!localAuthorities.contains(authority)) {
            return null;
        }
        String path = afterSlashes.substring(end);
        return path.isEmpty() || path.charAt(0) != '/' ? "/" + path : path;
    }

    /** Appends the token, replacing one the URI may already carry, and keeps any fragment at the end. */
    String withToken(String uri) {
        String fragment = "";
        int hash = uri.indexOf('#');
        if (hash >= 0) {
            fragment = uri.substring(hash);
            uri = uri.substring(0, hash);
        }
        String path = uri;
        String query = "";
        int q = uri.indexOf('?');
        if (q >= 0) {
            path = uri.substring(0, q);
            query = uri.substring(q + 1);
        }
        StringBuilder sb = new StringBuilder(uri.length() + token.length() + param.length() + 2).append(path);
        char sep = '?';
        for (String pair : query.split("&")) {
            if (pair.isEmpty() || pair.equals(param) || pair.startsWith(param + "=")) {
                continue;
            }
            sb.append(sep).append(pair);
            sep = '&';
        }
        return sb.append(sep).append(param).append('=').append(token).append(fragment).toString();
    }
}

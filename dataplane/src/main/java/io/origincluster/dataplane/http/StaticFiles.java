package io.origincluster.dataplane.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves request paths inside {@code PROXY_STATIC_FILES} (SRS's players and console). A path that leaves the
 * folder, by {@code ..}, an encoded separator or a symbolic link pointing outside, is refused.
 */
final class StaticFiles {

    /** What a request path resolves to. */
    sealed interface Result permits Found, Redirect, Missing, Forbidden { }

    record Found(Path file, long length, String contentType) implements Result { }

    /** A folder asked for without its trailing slash: relative links in its index.html need the slash. */
    record Redirect() implements Result { }

    record Missing() implements Result { }

    record Forbidden(String why) implements Result { }

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"), Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("map", "application/json"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("ico", "image/x-icon"),
            Map.entry("webp", "image/webp"), Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"), Map.entry("wasm", "application/wasm"), Map.entry("xml", "application/xml"),
            Map.entry("mp4", "video/mp4"), Map.entry("m4s", "video/iso.segment"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("aac", "audio/aac"), Map.entry("m3u8", "application/vnd.apple.mpegurl"),
            Map.entry("ts", "video/mp2t"), Map.entry("flv", "video/x-flv"), Map.entry("swf",
                    "application/x-shockwave-flash"));

    private final Path root;
    private final Path realRoot;

    StaticFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
        Path real;
        try {
            real = this.root.toRealPath();
        } catch (IOException e) {
            real = this.root;
        }
        this.realRoot = real;
    }

    /** @param decodedPath the request path, percent-decoded, starting with '/' */
    Result resolve(String decodedPath) {
        if (decodedPath.indexOf('\0') >= 0 || decodedPath.indexOf('\\') >= 0) {
            return new Forbidden("bad character in path");
        }
        for (String segment : decodedPath.split("/")) {
            if (segment.equals("..")) {
                return new Forbidden("'..' in path");
            }
        }
        Path p = root.resolve(decodedPath.substring(1)).normalize();
        if (!p.startsWith(root)) {
            return new Forbidden("path leaves the static folder");
        }
        try {
            if (Files.isDirectory(p)) {
                if (!decodedPath.endsWith("/")) {
                    return new Redirect();
                }
                p = p.resolve("index.html");
            }
            if (!Files.isRegularFile(p)) {
                return new Missing();
            }
            Path real = p.toRealPath();
            if (!real.startsWith(realRoot)) {
                return new Forbidden("link leaves the static folder");
            }
            return new Found(real, Files.size(real), contentType(real));
        } catch (IOException | SecurityException e) {
            return new Missing();
        }
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

}

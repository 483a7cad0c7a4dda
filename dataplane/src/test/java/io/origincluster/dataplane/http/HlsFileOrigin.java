package io.origincluster.dataplane.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.origincluster.dataplane.testpeers.TestMedia;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * An HTTP origin serving fMP4 HLS that ffmpeg wrote (init.mp4 + .m4s + media playlist, plus a master playlist),
 * for the shapes nginx-rtmp does not produce. Two paths behave like SRS: {@code /live/ctx.m3u8} answers with SRS's
 * {@code hls_ctx} playlist and then serves the media playlist with absolute URIs carrying that {@code hls_ctx};
 * {@code /live/moved.m3u8} answers with a redirect to an absolute origin URL. Every request is recorded.
 */
final class HlsFileOrigin implements AutoCloseable {

    static final String CTX = "c7x9";

    private final Path dir;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    final ConcurrentLinkedQueue<MediaHttpOrigin.SeenRequest> requests = new ConcurrentLinkedQueue<>();
    /** The client port of each request: one per TCP connection the proxy opened. */
    final java.util.Set<Integer> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private HlsFileOrigin(Path dir) throws IOException {
        this.dir = dir;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/live/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    static HlsFileOrigin start() {
        Tools.require("ffmpeg");
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "hls-fmp4-");
            int rc = Proc.run("ffmpeg-fmp4", List.of("ffmpeg", "-v", "error", "-y", "-i", TestMedia.flv().toString(),
                    "-t", "4", "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
                    "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                    "-hls_segment_filename", dir.resolve("seg-%d.m4s").toString(),
                    dir.resolve("fmp4.m3u8").toString()), 30);
            if (rc != 0 || !Files.exists(dir.resolve("init.mp4"))) {
                throw new IllegalStateException("ffmpeg could not write fMP4 HLS (exit " + rc + ")");
            }
            writeDash(dir);
            Files.writeString(dir.resolve("master.m3u8"), """
                    #EXTM3U
                    #EXT-X-VERSION:7
                    #EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",RESOLUTION=320x240
                    fmp4.m3u8
                    """);
            return new HlsFileOrigin(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * DASH in two layouts: ffmpeg's own ({@code ffdash.mpd}, templates next to the MPD) and SRS's ({@code srs.mpd}:
     * a folder BaseURL {@code cap/} with {@code $RepresentationID$-init.mp4} and {@code $RepresentationID$-$Number$.m4s}
     * inside it, as recorded in shared/reference/srs-http-api.md).
     */
    private static void writeDash(Path dir) throws IOException {
        String src = TestMedia.flv().toString();
        int rc = Proc.run("ffmpeg-dash", List.of("ffmpeg", "-v", "error", "-y", "-i", src, "-t", "4", "-c", "copy",
                "-f", "dash", "-seg_duration", "1", "-use_template", "1", "-use_timeline", "1",
                dir.resolve("ffdash.mpd").toString()), 30);
        Files.createDirectories(dir.resolve("cap"));
        int rc2 = Proc.run("ffmpeg-dash-srs", List.of("ffmpeg", "-v", "error", "-y", "-i", src, "-t", "4", "-c",
                "copy", "-f", "dash", "-seg_duration", "1", "-use_template", "1", "-use_timeline", "1",
                "-init_seg_name", "$RepresentationID$-init.mp4", "-media_seg_name", "$RepresentationID$-$Number$.m4s",
                dir.resolve("cap/cap.mpd").toString()), 30);
        if (rc != 0 || rc2 != 0 || !Files.exists(dir.resolve("cap/cap.mpd"))) {
            throw new IllegalStateException("ffmpeg could not write DASH (exit " + rc + ", " + rc2 + ")");
        }
        String mpd = Files.readString(dir.resolve("cap/cap.mpd"));
        Files.writeString(dir.resolve("srs.mpd"), mpd.replaceFirst("(<MPD[^>]*>)", "$1\n\t<BaseURL>cap/</BaseURL>"));
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        connections.add(ex.getRemoteAddress().getPort());
        requests.add(new MediaHttpOrigin.SeenRequest(ex.getRequestMethod(), ex.getRequestURI().toString(),
                java.util.Map.copyOf(ex.getRequestHeaders())));
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        String name = path.substring("/live/".length());
        try (ex) {
            if (name.equals("moved.m3u8")) {
                ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + port() + "/live/fmp4.m3u8");
                ex.sendResponseHeaders(302, -1);
                return;
            }
            if (name.equals("ctx.m3u8")) {
                String body = query != null && query.contains("hls_ctx=" + CTX)
                        ? Files.readString(dir.resolve("fmp4.m3u8")).lines()
                                .map(l -> l.startsWith("#EXT-X-MAP:URI=\"") ? l.replace("URI=\"",
                                        "URI=\"http://127.0.0.1:" + port() + "/live/").replace("init.mp4\"",
                                        "init.mp4?hls_ctx=" + CTX + "\"")
                                        : l.startsWith("#") || l.isBlank() ? l
                                        : "http://127.0.0.1:" + port() + "/live/" + l + "?hls_ctx=" + CTX)
                                .collect(Collectors.joining("\n", "", "\n"))
                        : "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n/live/ctx.m3u8?hls_ctx="
                                + CTX + "\n";
                send(ex, body.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
                return;
            }
            Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            String type = name.endsWith(".m3u8") ? "application/vnd.apple.mpegurl"
                    : name.endsWith(".mpd") ? "application/dash+xml"
                    : name.endsWith(".m4s") ? "video/iso.segment" : "video/mp4";
            send(ex, Files.readAllBytes(file), type);
        }
    }

    private static void send(HttpExchange ex, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "max-age=3");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

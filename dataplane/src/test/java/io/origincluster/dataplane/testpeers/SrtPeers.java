package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Real libsrt peers: srt-live-transmit as an origin listener that writes what it receives to a file, as a caller
 * that sends a file, and ffmpeg as a sending listener. srt-live-transmit cannot poll a regular file, so input goes
 * through a pipe, and it forwards whole 1316-byte chunks (7 TS packets), so payloads are cut to a multiple of that.
 */
public final class SrtPeers {

    public static final int CHUNK = 1316;

    private SrtPeers() {
    }

    /** The first {@code chunks} chunks of the test TS clip, as a file of its own (a valid TS prefix). */
    public static Path payload(Path dir, int chunks) {
        try {
            byte[] ts = Files.readAllBytes(TestMedia.ts());
            int n = Math.min(chunks, ts.length / CHUNK) * CHUNK;
            Files.createDirectories(dir);
            Path out = dir.resolve("payload-" + n + ".ts");
            Files.write(out, Arrays.copyOf(ts, n));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An SRT listener on 127.0.0.1:port accepting one caller; received bytes go to {@code out} unbuffered (stdout
     * to a file is otherwise flushed only every 256 KiB or at exit). It exits when its caller disconnects.
     */
    public static Proc listenerToFile(int port, String options, Path out) {
        Tools.require("srt-live-transmit");
        Proc p = Proc.start("srt-origin-" + port, List.of("sh", "-c", "exec stdbuf -o0 srt-live-transmit -a:no "
                + "-ll:error 'srt://127.0.0.1:" + port + "?mode=listener" + options + "' file://con > '" + out + "'"));
        awaitListening(port, 5);
        return p;
    }

    /**
     * A caller sending {@code in} to {@code url} in chunks; it stays connected after the end of input. Input starts
     * a second after launch because srt-live-transmit discards what it reads before its connection is up.
     */
    public static Proc callerFromFile(String url, Path in) {
        Tools.require("srt-live-transmit");
        return Proc.start("srt-caller", List.of("sh", "-c", "(sleep 1; cat '" + in + "') | exec srt-live-transmit -a:no "
                + "-ll:error -chunk:" + CHUNK + " file://con '" + url + "'"));
    }

    /** ffmpeg as an SRT listener that sends the test clip in a loop at real-time speed once a caller connects. */
    public static Proc ffmpegSendingListener(int port, String options) {
        Tools.require("ffmpeg");
        Proc p = Proc.start("ffmpeg-srt-origin", List.of("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1",
                "-i", TestMedia.ts().toString(), "-c", "copy", "-f", "mpegts",
                "srt://127.0.0.1:" + port + "?mode=listener" + options));
        awaitListening(port, 10);
        return p;
    }

    /**
     * Waits until something has bound UDP {@code port} (a peer process has started listening), so a test never
     * races the peer's start-up. Reads the kernel's socket tables instead of probing with a bind of our own: a
     * probe that holds the port for an instant can make the peer's own bind fail. Fails after {@code seconds}.
     */
    public static void awaitListening(int port, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String hexPort = String.format(":%04X ", port);
        while (System.nanoTime() < deadline) {
            for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
                try {
                    for (String line : Files.readAllLines(Path.of(table))) {
                        String[] cols = line.trim().split("\\s+");
                        if (cols.length > 1 && (cols[1] + " ").endsWith(hexPort)) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    // table absent (no IPv6): the other one decides
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("nothing listens on udp port " + port + " after " + seconds + " s");
    }

    public static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Test streams generated with ffmpeg on first use and cached under target/ (media is never committed): H.264
 * baseline without B-frames, a keyframe every second, AAC stereo; small enough to make in under a second.
 */
public final class TestMedia {

    private static final Path DIR = Path.of("target", "test-media");

    private TestMedia() {
    }

    /** 10 s of 320x240 video with a 1 kHz tone, as FLV. */
    public static synchronized Path flv() {
        return generate("source.flv", "flv");
    }

    /** The same content as MPEG-TS (for SRT and HTTP-TS). */
    public static synchronized Path ts() {
        return generate("source.ts", "mpegts");
    }

    private static Path generate(String name, String format) {
        Path out = DIR.resolve(name);
        if (Files.isRegularFile(out)) {
            return out.toAbsolutePath();
        }
        Tools.require("ffmpeg");
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path tmp = DIR.resolve(name + ".tmp");
        int rc = Proc.run("ffmpeg-gen", List.of("ffmpeg", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
                "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline",
                "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-b:v", "300k",
                "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-ac", "2", "-f", format, tmp.toString()), 60);
        if (rc != 0) {
            throw new IllegalStateException("ffmpeg could not generate " + name + " (exit " + rc + ")");
        }
        try {
            Files.move(tmp, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toAbsolutePath();
    }
}

package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real player: ffmpeg reads a live URL, decodes every video frame ({@code -xerror}: a decoding error ends it)
 * and reports each through the showinfo filter. Each decoded frame is recorded with its presentation time and
 * the moment it arrived here, so a test can measure the longest stall and check that time never goes backwards.
 */
public final class DecodingPlayer implements AutoCloseable {

    private static final Pattern FRAME = Pattern.compile("\\bn:\\s*(\\d+)\\s+pts:\\s*(-?\\d+)\\s+pts_time:(-?[0-9.]+)");

    /** One decoded frame: its presentation time in seconds and when this process saw it (nanoTime). */
    public record Frame(double ptsSeconds, long arrivedNanos) { }

    private final Process process;
    private final String name;
    private final List<Frame> frames = new ArrayList<>();
    private final StringBuilder tail = new StringBuilder();
    private final Thread reader;

    private DecodingPlayer(String name, Process process) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(this::read, "player-" + name);
        reader.setDaemon(true);
        reader.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    }

    /** Starts playing {@code url}; the player keeps going until the stream ends or {@link #close()}. */
    public static DecodingPlayer play(String name, String url) {
        Tools.require("ffmpeg");
        List<String> cmd = List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info", "-xerror",
                "-rw_timeout", "20000000", "-i", url, "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return new DecodingPlayer(name, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                long now = System.nanoTime();
                Matcher m = FRAME.matcher(line);
                synchronized (this) {
                    if (m.find()) {
                        frames.add(new Frame(Double.parseDouble(m.group(3)), now));
                    } else {
                        tail.append(line).append('\n');
                        if (tail.length() > 8000) {
                            tail.delete(0, tail.length() - 8000);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process went away; isAlive() tells
        }
    }

    /** The exit code once the process ended, else -1. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public synchronized int frameCount() {
        return frames.size();
    }

    public synchronized List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The longest time between two consecutive decoded frames that arrived after {@code sinceNanos}. */
    public long maxGapMillisSince(long sinceNanos) {
        return maxGapMillisBetween(sinceNanos, Long.MAX_VALUE);
    }

    /** The same, for frames that arrived in [{@code fromNanos}, {@code toNanos}): a quiet window's jitter. */
    public synchronized long maxGapMillisBetween(long fromNanos, long toNanos) {
        long max = 0;
        Frame prev = null;
        for (Frame f : frames) {
            if (prev != null && f.arrivedNanos() >= fromNanos && f.arrivedNanos() < toNanos) {
                max = Math.max(max, (f.arrivedNanos() - prev.arrivedNanos()) / 1_000_000);
            }
            prev = f;
        }
        return max;
    }

    /** Frames whose presentation time is not after the previous frame's (should be none). */
    public synchronized List<String> backwardSteps() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            if (frames.get(i).ptsSeconds() <= frames.get(i - 1).ptsSeconds()) {
                out.add("frame " + i + ": " + frames.get(i - 1).ptsSeconds() + " -> " + frames.get(i).ptsSeconds());
            }
        }
        return out;
    }

    /** What ffmpeg said besides frames (errors, stream info), for assertion messages. */
    public synchronized String log() {
        return name + " (alive=" + process.isAlive() + ", frames=" + frames.size() + "):\n" + tail;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

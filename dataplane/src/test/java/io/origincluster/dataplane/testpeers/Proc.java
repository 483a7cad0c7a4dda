package io.origincluster.dataplane.testpeers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child process whose output goes to a log file under target/, killed (with its children) on close. */
public final class Proc implements AutoCloseable {

    private static final Path LOGS = Path.of("target", "peer-logs");

    private final Process process;
    private final Path log;
    private final String name;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        // a test JVM that dies before close() must not leave peers (nginx, ffmpeg, srt-live-transmit) running
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, "proc-reaper-" + name));
    }

    public static Proc start(String name, List<String> command) {
        return start(name, command, null);
    }

    public static Proc start(String name, List<String> command, Path workDir) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + "-" + System.nanoTime() + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            return new Proc(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs to completion within {@code seconds}; returns the exit code (killed: -1). */
    public static int run(String name, List<String> command, int seconds) {
        try (Proc p = start(name, command)) {
            return p.waitFor(seconds);
        }
    }

    public int waitFor(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                close();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** What the process printed so far, for assertion messages. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<no output: " + e.getMessage() + ">";
        }
    }

    /** SIGKILL, for tests that simulate a crashed origin. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ", log " + log + ")";
    }
}

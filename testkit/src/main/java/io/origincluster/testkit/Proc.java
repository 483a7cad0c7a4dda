package io.origincluster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process (a peer, or the proxy as its own JVM) with its output in a log file; stopped with its children
 * on close. Every wait is bounded. A JVM that dies before close (a crashed test fork, an interrupted bench) still
 * takes its children with it.
 */
public final class Proc implements AutoCloseable {

    /** Where tests' peers log: one file per start, under the module's target folder. */
    static final Path TEST_LOGS = Path.of("target", "peer-logs");
    private static final int STOP_GRACE_SECONDS = 5;

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread reaper;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reaper = new Thread(this::killNow, "proc-reaper-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Started in the current directory, logging to {@code target/peer-logs/<name>-<nanos>.log}. */
    public static Proc start(String name, List<String> command) {
        return start(name, command, null);
    }

    public static Proc start(String name, List<String> command, Path workDir) {
        return launch(name, command, Map.of(), workDir, TEST_LOGS.resolve(name + "-" + System.nanoTime() + ".log"));
    }

    /**
     * With extra environment, in {@code workDir} (null: the current directory), logging to
     * {@code <logDir>/<name>.log}: for callers whose children have names unique in their log folder (the bench's run
     * folder, where the docs point at {@code proxy.log}, {@code nginx-rtmp.log}).
     */
    public static Proc start(String name, List<String> command, Map<String, String> env, Path workDir,
                             Path logDir) {
        return launch(name, command, env, workDir, logDir.resolve(name + ".log"));
    }

    private static Proc launch(String name, List<String> command, Map<String, String> env, Path workDir, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            return new Proc(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Runs to completion within {@code seconds}; returns the exit code (killed: -1). */
    public static int run(String name, List<String> command, int seconds) {
        try (Proc p = start(name, command)) {
            return p.waitFor(seconds);
        }
    }

    /** The exit code once it exits within {@code seconds}; else stops it and returns -1. */
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

    /** {@link #awaitTcp(String, int, int)} on 127.0.0.1. */
    public void awaitTcp(int port, int seconds) {
        awaitTcp("127.0.0.1", port, seconds);
    }

    /**
     * Waits until something accepts TCP connections on {@code host:port}. When the process exits first or the
     * time is up, stops it and fails naming the port and what the process printed.
     */
    public void awaitTcp(String host, int port, int seconds) {
        if (Ports.awaitTcp(host, port, Duration.ofSeconds(seconds), process::isAlive)) {
            return;
        }
        boolean exited = !process.isAlive();
        close();
        throw new IllegalStateException(name + (exited ? " exited before listening on " : " did not listen on ")
                + host + ":" + port + " within " + seconds + " s; log " + log + ":\n" + tail(4000));
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

    public Path log() {
        return log;
    }

    /** What the process printed so far, for assertion messages. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<no output: " + e.getMessage() + ">";
        }
    }

    /** The last {@code chars} characters of {@link #output()}. */
    public String tail(int chars) {
        String out = output();
        return out.length() <= chars ? out : "..." + out.substring(out.length() - chars);
    }

    /** SIGKILL to it and its children, now (a crashed origin, a lost node); waits (bounded) until it is gone. */
    public void kill() {
        killNow();
        try {
            process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forgetReaper();
    }

    private void killNow() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** SIGTERM to it and its children; SIGKILL after a few seconds if they are still there. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        forgetReaper();
    }

    // a long test run starts thousands of peers: without this each would keep its hook (and thread) to the end
    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway; nothing to forget
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}

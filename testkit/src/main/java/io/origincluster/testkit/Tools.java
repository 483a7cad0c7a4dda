package io.origincluster.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real peers (ffmpeg, nginx-rtmp, srt-tools, redis-server) are required, never optional: a missing one fails with
 * what installs it, so neither CI (CI=true) nor a developer's run can pass by skipping what it did not test.
 * The failure is an {@link AssertionError}, which JUnit reports as a failed test and the bench as an error.
 */
public final class Tools {

    static final String INSTALL_HINT = "install the test peers with scripts/install-test-deps.sh "
            + "(scripts/test does this itself)";

    private Tools() {
    }

    public static void require(String... commands) {
        for (String c : commands) {
            if (which(c) == null) {
                throw new AssertionError("required tool '" + c + "' is not on PATH" + ciNote() + "; " + INSTALL_HINT);
            }
        }
    }

    /** A file a peer needs that is not a command on PATH, e.g. nginx's RTMP module; {@code what} names its package. */
    public static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(what + " is missing at " + file + ciNote() + "; " + INSTALL_HINT);
        }
    }

    /** The absolute path of {@code command} on PATH (plus the sbin folders, where Debian puts servers), or null. */
    public static String which(String command) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).concat(":/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            File f = new File(dir, command);
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private static String ciNote() {
        return "true".equalsIgnoreCase(System.getenv("CI")) ? " (CI=true: a missing peer is a failure, not a skip)"
                : "";
    }
}

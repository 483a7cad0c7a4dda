package io.origincluster.dataplane.testpeers;

import java.io.File;
import org.junit.jupiter.api.Assertions;

/**
 * Real peers (ffmpeg, nginx-rtmp, srt-tools, redis-server) are required, never optional: a missing tool fails the
 * test with the command that installs it, so CI can never pass by skipping.
 */
public final class Tools {
    private Tools() {
    }

    public static void require(String... commands) {
        for (String c : commands) {
            if (which(c) == null) {
                Assertions.fail("required test tool '" + c + "' is not on PATH; install the test peers with "
                        + "scripts/install-test-deps.sh (the README's test command does this itself)");
            }
        }
    }

    public static String which(String command) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/usr/sbin:/bin" : path + ":/usr/sbin:/sbin").split(":")) {
            File f = new File(dir, command);
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }
}

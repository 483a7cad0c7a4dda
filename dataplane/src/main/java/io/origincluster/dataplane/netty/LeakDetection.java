package io.origincluster.dataplane.netty;

import io.netty.util.ResourceLeakDetector;

/**
 * The proxy process runs without Netty's buffer leak detection unless {@code -Dio.netty.leakDetection.level} asks
 * for it. At Netty's default (SIMPLE) one buffer in 128 is tracked, and a tracked buffer takes a stack trace at
 * every pipeline hop and again when released: at 200 B messages that was about 3 % of the event loops' CPU in the
 * latency bench, paid on every relayed stream. Tests keep their own (paranoid) level and fail on any leak.
 */
public final class LeakDetection {

    static final String PROPERTY = "io.netty.leakDetection.level";

    private LeakDetection() {
    }

    /** Call before the first buffer is allocated. */
    public static void applyProcessDefault() {
        ResourceLeakDetector.Level level = processLevel(System.getProperty(PROPERTY));
        if (level != null) {
            ResourceLeakDetector.setLevel(level);
        }
    }

    /** The level the process should force, or null to leave Netty's own reading of the property. */
    static ResourceLeakDetector.Level processLevel(String property) {
        return property == null || property.isBlank() ? ResourceLeakDetector.Level.DISABLED : null;
    }
}

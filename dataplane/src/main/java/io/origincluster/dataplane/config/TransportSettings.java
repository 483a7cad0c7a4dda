package io.origincluster.dataplane.config;

import java.util.Locale;

/**
 * Which Netty I/O transport runs every listener and origin leg ({@code PROXY_IO_TRANSPORT}). {@code auto} picks the
 * one measured fastest here that loads, falling back in order; naming one makes it a requirement, so a benchmark or
 * an operator who asked for io_uring never gets epoll without noticing.
 */
public record TransportSettings(Choice choice) {

    /** {@code auto} or one transport by name; {@link #value()} is how the setting spells it. */
    public enum Choice {
        AUTO("auto"), IO_URING("io_uring"), EPOLL("epoll"), NIO("nio");

        private final String value;

        Choice(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    static TransportSettings from(Env env) {
        String v = env.string("PROXY_IO_TRANSPORT", "auto").trim().toLowerCase(Locale.ROOT);
        for (Choice c : Choice.values()) {
            if (c.value.equals(v)) {
                return new TransportSettings(c);
            }
        }
        throw new ConfigException("PROXY_IO_TRANSPORT", "'" + v + "' is not auto, io_uring, epoll or nio");
    }
}

package io.origincluster.dataplane.netty;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.TransportSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which transport a {@code PROXY_IO_TRANSPORT} value gets, given which transports work here. Availability comes in
 * as a function so a test can make any transport fail to load without a special kernel or container.
 *
 * @param transport the transport to run on
 * @param reason    why this one: the setting, or auto's pick and what it skipped and why
 */
public record TransportChoice(IoTransport transport, String reason) {

    /**
     * Auto's preference, best first. epoll leads because io_uring did not clearly win in scripts/bench run on every
     * scenario with each (epoll and io_uring back to back): io_uring took less proxy CPU for SRT and the saturate
     * scenario but more for throughput, HTTP-FLV and 10,000 players (there also more than twice the memory per
     * connection). io_uring stays second, for a process where epoll does not load; NIO is last: it always loads.
     */
    static final List<IoTransport> AUTO_ORDER = List.of(IoTransport.EPOLL, IoTransport.IO_URING, IoTransport.NIO);

    public static TransportChoice choose(TransportSettings.Choice wanted,
                                         Function<IoTransport, Throwable> unavailability) {
        return choose(wanted, AUTO_ORDER, unavailability);
    }

    static TransportChoice choose(TransportSettings.Choice wanted, List<IoTransport> autoOrder,
                                  Function<IoTransport, Throwable> unavailability) {
        IoTransport named = IoTransport.named(wanted);
        if (named != null) {
            Throwable cause = unavailability.apply(named);
            if (cause != null) {
                // asked for by name, so a fallback would hide that the setting is not in effect
                throw new ConfigException("PROXY_IO_TRANSPORT", named.label() + " does not work here: "
                        + describe(cause) + " (auto falls back instead)");
            }
            return new TransportChoice(named, "PROXY_IO_TRANSPORT=" + named.label());
        }
        List<String> skipped = new ArrayList<>();
        for (IoTransport t : autoOrder) {
            Throwable cause = unavailability.apply(t);
            if (cause == null) {
                return new TransportChoice(t, skipped.isEmpty() ? "auto: preferred transport"
                        : "auto: " + String.join("; ", skipped));
            }
            skipped.add(t.label() + " does not work here: " + describe(cause));
        }
        throw new IllegalStateException("no transport works: " + String.join("; ", skipped));
    }

    /** The cause and its root, e.g. "failed to create ring: Operation not permitted" from Netty's probe. */
    static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause) : cause + " (" + root + ")";
    }
}

package io.origincluster.dataplane.routing;

import java.io.IOException;

/**
 * The proxy itself could not open a connection to an origin (out of file descriptors, socket creation refused):
 * not the origin's fault, so {@link RoutingCore#connect} neither unpins the origin nor tries another one.
 */
public class ProxyResourceException extends IOException {
    public ProxyResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.origincluster.dataplane.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.origincluster.dataplane.routing.ProxyResourceException;

/**
 * Reading the outcome of a dial to an origin. When Netty cannot even create or register the socket (for example
 * EMFILE), the future's channel is a placeholder that was never registered: closing it throws, and the failure
 * says nothing about the origin.
 */
public final class OriginDial {
    private OriginDial() {
    }

    /** The failure to report for a failed dial: a {@link ProxyResourceException} when no socket ever existed. */
    public static Throwable failure(ChannelFuture done) {
        Throwable cause = done.cause();
        if (!done.channel().isRegistered() && !done.channel().isOpen()) {
            return new ProxyResourceException("the proxy cannot open a socket to the origin: " + cause, cause);
        }
        return cause;
    }

    /** Closes an origin channel if it ever became a real, registered socket. */
    public static void closeQuietly(Channel channel) {
        if (channel != null && channel.isRegistered()) {
            channel.close();
        }
    }
}

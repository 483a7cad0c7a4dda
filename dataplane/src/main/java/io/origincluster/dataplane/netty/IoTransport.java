package io.origincluster.dataplane.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.origincluster.dataplane.config.TransportSettings;

/**
 * The Netty transports the proxy runs on, each with its event loop factory and its TCP and UDP channel classes. The
 * relays only use options every one of them has (TCP_NODELAY, socket buffers, water marks, AUTO_READ, receive
 * allocators), so nothing outside this file knows which one runs.
 */
public enum IoTransport {

    IO_URING(TransportSettings.Choice.IO_URING) {
        @Override
        public Throwable unavailabilityCause() {
            // the first call probes the kernel by creating a ring: a seccomp filter (Docker's default profile,
            // containerd's RuntimeDefault) or kernel.io_uring_disabled answer EPERM here and it reports false
            return IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerSocketChannel> serverChannel() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> clientChannel() {
            return IoUringSocketChannel.class;
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannel() {
            return IoUringDatagramChannel.class;
        }
    },

    EPOLL(TransportSettings.Choice.EPOLL) {
        @Override
        public Throwable unavailabilityCause() {
            return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerSocketChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> clientChannel() {
            return EpollSocketChannel.class;
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannel() {
            return EpollDatagramChannel.class;
        }
    },

    NIO(TransportSettings.Choice.NIO) {
        @Override
        public Throwable unavailabilityCause() {
            return null; // the JDK's own selector: always there
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerSocketChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> clientChannel() {
            return NioSocketChannel.class;
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannel() {
            return NioDatagramChannel.class;
        }
    };

    private final TransportSettings.Choice setting;

    IoTransport(TransportSettings.Choice setting) {
        this.setting = setting;
    }

    /** The name {@code PROXY_IO_TRANSPORT} gives it, also what the log, the versions API and the metric show. */
    public String label() {
        return setting.value();
    }

    /** The transport a setting names, or null for {@code auto}. */
    static IoTransport named(TransportSettings.Choice choice) {
        for (IoTransport t : values()) {
            if (t.setting == choice) {
                return t;
            }
        }
        return null;
    }

    /** Null when this transport works in this process, else why not (native library, kernel, seccomp). */
    public abstract Throwable unavailabilityCause();

    abstract IoHandlerFactory handlerFactory();

    public abstract Class<? extends ServerSocketChannel> serverChannel();

    public abstract Class<? extends SocketChannel> clientChannel();

    public abstract Class<? extends DatagramChannel> datagramChannel();
}

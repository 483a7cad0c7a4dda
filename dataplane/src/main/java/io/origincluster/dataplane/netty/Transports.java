package io.origincluster.dataplane.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.origincluster.dataplane.config.TransportSettings;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event loops and channel classes for the whole process, on the transport {@code PROXY_IO_TRANSPORT} picks
 * ({@link TransportChoice}). One group of loops runs every protocol, and paired client/backend channels share a loop
 * so relaying never crosses threads. The listeners accept on these loops too, not on a boss thread of their own: a
 * connection registered to the loop that accepted it starts there without waking another thread, and wake-ups are
 * dear on a paravirtualized machine (docs/benchmarks.md, "Issue 15, third round").
 */
public final class Transports implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transports.class);

    private final IoTransport transport;
    private final EventLoopGroup workers;

    public Transports(TransportSettings.Choice wanted, int workerThreads) {
        this(TransportChoice.choose(wanted, IoTransport::unavailabilityCause), workerThreads);
    }

    Transports(TransportChoice choice, int workerThreads) {
        this.transport = choice.transport();
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, transport.handlerFactory());
        log.atInfo().addKeyValue("transport", transport.label()).addKeyValue("reason", choice.reason())
                .addKeyValue("workers", workerThreads).log("io transport");
    }

    /** The transport every loop and channel of this process runs on. */
    public IoTransport transport() {
        return transport;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return transport.serverChannel();
    }

    public Class<? extends SocketChannel> clientChannel() {
        return transport.clientChannel();
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return transport.datagramChannel();
    }

    @Override
    public void close() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}

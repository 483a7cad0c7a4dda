package io.origincluster.dataplane.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramPacket;
import io.origincluster.dataplane.ProtocolServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the port of a protocol that is not routed yet: TCP connections are closed at once and UDP datagrams are
 * dropped, each with a log line, so a client fails fast instead of hanging.
 */
public final class PlaceholderServer implements ProtocolServer {

    private static final Logger log = LoggerFactory.getLogger(PlaceholderServer.class);

    private final String name;
    private final boolean udp;
    private final InetSocketAddress listen;
    private final Transports transports;
    private Channel channel;

    public PlaceholderServer(String name, boolean udp, InetSocketAddress listen, Transports transports) {
        this.name = name;
        this.udp = udp;
        this.listen = listen;
        this.transports = transports;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws Exception {
        if (udp) {
            channel = new Bootstrap().group(transports.workers()).channel(transports.datagramChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof DatagramPacket p) {
                                log.atInfo().addKeyValue("server", name).addKeyValue("from", p.sender())
                                        .log("protocol not routed yet, datagram dropped");
                            }
                            io.netty.util.ReferenceCountUtil.release(msg);
                        }
                    }).bind(listen).sync().channel();
        } else {
            channel = new ServerBootstrap().group(transports.boss(), transports.workers())
                    .channel(transports.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            log.atInfo().addKeyValue("server", name).addKeyValue("from", ch.remoteAddress())
                                    .log("protocol not routed yet, connection closed");
                            ch.close();
                        }
                    }).bind(listen).sync().channel();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void stop(Duration grace) {
        if (channel != null) {
            channel.close().awaitUninterruptibly(grace.toMillis());
        }
    }
}

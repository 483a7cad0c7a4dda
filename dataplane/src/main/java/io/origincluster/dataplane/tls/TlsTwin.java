package io.origincluster.dataplane.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener beside a plain one: the same bootstrap and the same pipeline initializer, with TLS in front.
 * Every listener that has a TLS twin calls {@link #bind} right after binding its plain channel, so TLS is added
 * at one point for every protocol and the handlers behind it never know. {@link #none()} when the twin is off.
 */
public final class TlsTwin {

    private static final Logger log = LoggerFactory.getLogger(TlsTwin.class);
    private static final TlsTwin NONE = new TlsTwin(null, null);

    private final InetSocketAddress listen;
    private final ServerTls tls;
    private volatile Channel channel;

    private TlsTwin(InetSocketAddress listen, ServerTls tls) {
        this.listen = listen;
        this.tls = tls;
    }

    public static TlsTwin none() {
        return NONE;
    }

    /** A twin on {@code listen}, or {@link #none()} when {@code listen} is null (the setting is off). */
    public static TlsTwin of(InetSocketAddress listen, ServerTls tls) {
        return listen == null || tls == null ? NONE : new TlsTwin(listen, tls);
    }

    /**
     * Binds the TLS listener with {@code bootstrap}'s options and {@code plain} (a sharable initializer, as every
     * {@link ChannelInitializer} is) behind the TLS handler. Does nothing for {@link #none()}.
     */
    public void bind(ServerBootstrap bootstrap, ChannelHandler plain) throws InterruptedException {
        if (listen == null) {
            return;
        }
        channel = bootstrap.clone().childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                ch.pipeline().addLast("tls-failures", HandshakeFailures.INSTANCE);
                ch.pipeline().addLast(plain);
            }
        }).bind(listen).sync().channel();
    }

    /** The bound address, or null when there is no twin (or it is not bound yet). */
    public InetSocketAddress localAddress() {
        Channel c = channel;
        return c == null ? null : (InetSocketAddress) c.localAddress();
    }

    /** Stops accepting on the TLS listener; its connections end with their plain twin's sessions. */
    public void close(Duration grace) {
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(grace.toMillis());
        }
    }

    /**
     * A client that fails the TLS handshake (a plain-text client, an unknown CA, a timeout) is closed here, with a
     * debug line, before the protocol handlers see an exception meant for TLS.
     */
    @ChannelHandler.Sharable
    static final class HandshakeFailures extends ChannelInboundHandlerAdapter {
        static final HandshakeFailures INSTANCE = new HandshakeFailures();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                log.atDebug().addKeyValue("remote", ctx.channel().remoteAddress())
                        .addKeyValue("error", String.valueOf(e.cause())).log("TLS handshake failed");
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof SSLException || cause instanceof DecoderException d
                    && d.getCause() instanceof SSLException) {
                log.atDebug().addKeyValue("remote", ctx.channel().remoteAddress())
                        .addKeyValue("error", String.valueOf(cause)).log("TLS error");
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}

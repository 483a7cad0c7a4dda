package io.origincluster.dataplane.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.origincluster.dataplane.config.TransportSettings;
import io.origincluster.dataplane.routing.ProxyResourceException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A dial that never got a socket is the proxy's problem, not the origin's, and closing it must not throw. */
class OriginDialTest {

    private static final Transports TRANSPORTS = new Transports(TransportSettings.Choice.AUTO, 1);

    @AfterAll
    static void close() {
        TRANSPORTS.close();
    }

    @Test
    void socketCreationFailureIsAProxyResourceFailure() {
        ChannelFuture f = new Bootstrap().group(TRANSPORTS.workers())
                .channelFactory(() -> {
                    throw new ChannelException("Too many open files");
                })
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress("127.0.0.1", 9));
        f.awaitUninterruptibly();
        assertThat(f.isSuccess()).isFalse();
        assertThat(OriginDial.failure(f)).isInstanceOf(ProxyResourceException.class)
                .hasMessageContaining("Too many open files");
        OriginDial.closeQuietly(f.channel()); // must not throw "channel not registered to an event loop"
    }

    /** Every transport reports a refused connect the same way, so failover does not depend on PROXY_IO_TRANSPORT. */
    @ParameterizedTest
    @EnumSource(TransportSettings.Choice.class)
    void aRefusingOriginStaysTheOriginsFailure(TransportSettings.Choice choice) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (Transports transports = new Transports(choice, 1)) {
            // dial and read the outcome on the event loop, where the proxy does: a refusal can complete the
            // dial and later close and deregister the channel, so a listener added from another thread may
            // first see it after that
            java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.atomic.AtomicReference<ChannelFuture> dial =
                    new java.util.concurrent.atomic.AtomicReference<>();
            transports.workers().next().execute(() -> {
                ChannelFuture f = new Bootstrap().group(transports.workers()).channel(transports.clientChannel())
                        .handler(new ChannelInboundHandlerAdapter())
                        .connect(new InetSocketAddress("127.0.0.1", closedPort));
                dial.set(f);
                f.addListener(done -> seen.complete(OriginDial.failure(f)));
            });
            assertThat(seen.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(ConnectException.class)
                    .isNotInstanceOf(ProxyResourceException.class);
            OriginDial.closeQuietly(dial.get().channel());
        }
    }
}

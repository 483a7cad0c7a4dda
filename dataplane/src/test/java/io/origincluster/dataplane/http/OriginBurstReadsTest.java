package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.origincluster.dataplane.config.TransportSettings;
import io.origincluster.dataplane.netty.Transports;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An origin connection reads with AUTO_READ off, one socket read per {@code read()}, and the live relay flushes to
 * the client once per read. An origin that writes its media in bursts (SRS's merged write: about 44 KiB per 350 ms
 * at 1 Mbit/s) should cost one read per burst once the size guess has settled. With Netty's default allocator
 * (64 KiB at most) a 44 KiB burst took two reads every time, as the guess swung between 32 and 64 KiB.
 */
class OriginBurstReadsTest {

    private static final Transports TRANSPORTS = new Transports(TransportSettings.Choice.AUTO, 1);

    @AfterAll
    static void close() {
        TRANSPORTS.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {44 << 10, 60 << 10, 20 << 10})
    void aSteadyBurstIsReadInOneReadOnceTheGuessHasSettled(int burst) throws Exception {
        double readsPerBurst = readsPerBurst(burst, 30, 15);
        assertThat(readsPerBurst).as("reads per %d-byte burst over the last 15 bursts", burst).isLessThanOrEqualTo(1.2);
    }

    @Test
    void aBurstLargerThanTheLargestGuessStillArrivesWhole() throws Exception {
        // 600 KiB: more than one read by design; what matters is that every byte arrives and reading goes on
        double readsPerBurst = readsPerBurst(600 << 10, 4, 4);
        assertThat(readsPerBurst).isGreaterThan(1.0);
    }

    /** Writes {@code bursts} bursts, each once the reader has all of the one before; reads per burst at the end. */
    private static double readsPerBurst(int burst, int bursts, int counted) throws Exception {
        CompletableFuture<Channel> serverSide = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(TRANSPORTS.workers())
                .channel(TRANSPORTS.serverChannel())
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        serverSide.complete(ctx.channel());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        AtomicInteger reads = new AtomicInteger();
        AtomicLong received = new AtomicLong();
        Channel client = new Bootstrap().group(TRANSPORTS.workers()).channel(TRANSPORTS.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RECVBUF_ALLOCATOR, OriginConnector.BURST_READS)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.read();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                reads.incrementAndGet();
                                received.addAndGet(b.readableBytes());
                                b.release();
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.read();
                            }
                        });
                    }
                })
                .connect(server.localAddress()).sync().channel();
        try {
            Channel origin = serverSide.get(5, TimeUnit.SECONDS);
            byte[] media = new byte[burst];
            int readsBefore = 0;
            for (int i = 0; i < bursts; i++) {
                if (i == bursts - counted) {
                    readsBefore = reads.get();
                }
                long want = (long) (i + 1) * burst;
                origin.writeAndFlush(Unpooled.wrappedBuffer(media)).sync();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (received.get() < want) {
                    assertThat(System.nanoTime()).as("burst %d arrived", i).isLessThan(deadline);
                    Thread.sleep(1);
                }
                Thread.sleep(5); // a gap between bursts, as between an origin's merged writes
            }
            assertThat(received.get()).isEqualTo((long) bursts * burst);
            return (reads.get() - readsBefore) / (double) counted;
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}

package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.origincluster.dataplane.http.ts.TsFormatException;
import io.origincluster.dataplane.http.ts.TsPacketReader;
import io.origincluster.dataplane.http.ts.TsSplicer;

/**
 * HTTP-TS for a {@link LiveRelay}: 188-byte packets from {@link TsPacketReader} go through a {@link TsSplicer}.
 * Without a splice every packet is the origin's own slice, unchanged. A make-before-break leg is read until its
 * splice point (PAT, PMT, then a keyframe PES); its PAT and PMT are what the splicer keeps of it. Packets are
 * copied into one flat batch buffer (with {@link LiveBody#HEADROOM} free in front for the chunk framing): a composite
 * of one 188-byte slice per packet cost more to build, write and release than the copy.
 */
final class TsMedia extends LiveMedia {

    private static final int MAX_BATCH = 64 * 1024;
    private static final int FIRST_CAPACITY = 8 * 1024;

    private final ByteBufAllocator alloc;
    private final TsSplicer splicer;
    private final TsSplicer.Output output = this::append;
    private ByteBuf batch;

    TsMedia(ByteBufAllocator alloc) {
        this.alloc = alloc;
        this.splicer = new TsSplicer(alloc);
    }

    @Override
    String protocol() {
        return "http-ts";
    }

    @Override
    String name() {
        return "TS";
    }

    @Override
    LegMedia newLeg(Object leg, ByteBufAllocator legAlloc) {
        TsPacketReader reader = new TsPacketReader(legAlloc);
        TsSplicer.LegState state = new TsSplicer.LegState();
        TsPacketReader.Sink sink = p -> {
            state.observe(p, legAlloc);
            if (relay.feeding(leg)) {
                emit(state, p);
            } else if (relay.candidate(leg) && state.isStart(p)) {
                relay.switchOver(leg);
                emit(state, p);
            } else {
                p.release();
            }
        };
        return new LegMedia() {
            @Override
            public String feed(ByteBuf in) {
                try {
                    reader.feed(in, sink);
                    return null;
                } catch (TsFormatException e) {
                    return e.getMessage();
                }
            }

            @Override
            public void close() {
                reader.close();
                state.release();
            }
        };
    }

    private void emit(TsSplicer.LegState state, ByteBuf p) {
        int spliced = splicer.splices();
        boolean awaiting = splicer.awaitingStart();
        splicer.packet(state, p, output);
        if (!awaiting || splicer.splices() != spliced) {
            relay.sent(true, splicer.splices() != spliced);
        }
        if (batch != null && batch.readableBytes() >= MAX_BATCH) {
            relay.writeBatch();
        }
    }

    private void append(ByteBuf p) {
        int n = p.readableBytes();
        if (batch == null) {
            batch = alloc.directBuffer(Math.max(FIRST_CAPACITY, LiveBody.HEADROOM + n + 2));
            batch.writerIndex(LiveBody.HEADROOM).readerIndex(LiveBody.HEADROOM);
        } else {
            batch.ensureWritable(n + 2);
        }
        relay.addBytes(n);
        batch.writeBytes(p, p.readerIndex(), n);
        p.release();
    }

    @Override
    void splice() {
        splicer.splice();
    }

    @Override
    void replayHeld() {
        // the leg's PAT and PMT live in its state; the splicer sends them at the splice point
    }

    @Override
    void dropHeld() {
    }

    @Override
    ByteBuf take() {
        ByteBuf b = batch;
        batch = null;
        return b;
    }

    @Override
    void end() {
    }

    @Override
    void release() {
        splicer.release();
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}

package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.origincluster.dataplane.http.ts.TsFormatException;
import io.origincluster.dataplane.http.ts.TsPacketReader;
import io.origincluster.dataplane.http.ts.TsSplicer;

/**
 * HTTP-TS for a {@link LiveRelay}: 188-byte packets from {@link TsPacketReader} go through a {@link TsSplicer}, both
 * reading them where they lie in the origin's read buffer (no object per packet). Without a splice every packet's
 * bytes are the origin's, unchanged. A make-before-break leg is read until its splice point (PAT, PMT, then a
 * keyframe PES); its PAT and PMT are what the splicer keeps of it. What the splicer sends, a run of packets at a
 * time, is copied into one flat batch buffer (with {@link LiveBody#HEADROOM} free in front for the chunk framing): a
 * composite of one 188-byte slice per packet cost more to build, write and release than the copy.
 */
final class TsMedia extends LiveMedia {

    private static final int MAX_BATCH = 64 * 1024;
    private static final int FIRST_CAPACITY = 8 * 1024;

    private final ByteBufAllocator alloc;
    private final TsSplicer splicer;
    private final TsSplicer.RunOutput output = this::append;
    private ByteBuf batch;
    /** Media went on to the client during the current read; told to the relay once per read, not per packet. */
    private boolean fed;
    /**
     * The size of the read being relayed: about what its batch will hold, so the batch is made that size at once
     * rather than grown (and copied) from {@link #FIRST_CAPACITY} several times per read.
     */
    private int readBytes;

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
        TsPacketReader.InPlaceSink sink = (buf, at) -> {
            state.observe(buf, at, legAlloc);
            if (relay.feeding(leg)) {
                emit(state, buf, at);
            } else if (relay.candidate(leg) && state.isStart(buf, at)) {
                relay.switchOver(leg);
                emit(state, buf, at);
            }
        };
        return new LegMedia() {
            @Override
            public String feed(ByteBuf in) {
                readBytes = in.readableBytes();
                try {
                    reader.feedInPlace(in, sink);
                    return null;
                } catch (TsFormatException e) {
                    return e.getMessage();
                } finally {
                    if (fed) {
                        fed = false;
                        relay.sent(true, false);
                    }
                }
            }

            @Override
            public void close() {
                reader.close();
                state.release();
            }
        };
    }

    private void emit(TsSplicer.LegState state, ByteBuf buf, int at) {
        int spliced = splicer.splices();
        splicer.packet(state, buf, at, output);
        if (splicer.splices() != spliced) {
            relay.sent(true, true); // the move completes at this packet
        } else if (!splicer.awaitingStart()) {
            fed = true;
        }
        if (batch != null && batch.readableBytes() >= MAX_BATCH) {
            relay.writeBatch();
        }
    }

    private void append(ByteBuf buf, int index, int length) {
        if (batch == null) {
            int expected = Math.min(Math.max(length, readBytes), MAX_BATCH);
            batch = alloc.directBuffer(Math.max(FIRST_CAPACITY, LiveBody.HEADROOM + expected + 2));
            batch.writerIndex(LiveBody.HEADROOM).readerIndex(LiveBody.HEADROOM);
        } else {
            batch.ensureWritable(length + 2);
        }
        relay.addBytes(length);
        batch.writeBytes(buf, index, length);
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

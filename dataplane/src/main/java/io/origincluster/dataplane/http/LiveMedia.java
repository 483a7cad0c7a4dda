package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The format side of a {@link LiveRelay}: parses each origin leg into units, decides which reach the client and
 * with what timestamps, and frames them. One instance per client response, on its event loop. Per leg it tells the
 * relay through {@link LiveRelay#feeding}, {@link LiveRelay#candidate}, {@link LiveRelay#switchOver} and
 * {@link LiveRelay#sent} where each unit goes.
 */
abstract class LiveMedia {

    /** Parses one origin leg. */
    interface LegMedia {
        /** Reads {@code in} (always released); returns null, or what is wrong with the stream. */
        String feed(ByteBuf in);

        /** Releases what the leg holds; it takes nothing more. */
        void close();
    }

    protected LiveRelay relay;

    void bind(LiveRelay r) {
        this.relay = r;
    }

    /** Protocol label of metrics and logs: {@code http-flv}, {@code http-ts}. */
    abstract String protocol();

    /** Format name for messages: FLV, TS. */
    abstract String name();

    abstract LegMedia newLeg(Object leg, ByteBufAllocator alloc);

    /** The next units come from a new leg: wait for its splice point. */
    abstract void splice();

    /** A make-before-break leg became the feeding one: send what was kept of it before its splice point. */
    abstract void replayHeld();

    /** A candidate leg failed: drop what was kept of it. */
    abstract void dropHeld();

    /** What was framed since the last call, or null; the caller owns it. */
    abstract ByteBuf take();

    /** The response ends: frame whatever closes the stream. */
    abstract void end();

    /** The response is over: release everything. */
    abstract void release();
}

package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.origincluster.dataplane.http.flv.FlvFormatException;
import io.origincluster.dataplane.http.flv.FlvTagReader;
import io.origincluster.dataplane.http.flv.FlvTagWriter;
import io.origincluster.dataplane.splice.MediaTags;
import io.origincluster.dataplane.splice.PlayerTimeline;

/**
 * HTTP-FLV for a {@link LiveRelay}: tags from {@link FlvTagReader} go through a {@link PlayerTimeline} and are
 * re-framed by {@link FlvTagWriter} (one FLV header, new timestamps, correct PreviousTagSize). A make-before-break
 * leg is read until its first video keyframe (first audio frame for audio-only streams); until then only its latest
 * onMetaData and codec configurations are kept, and replayed into the timeline at the switch (which sends them only
 * when they differ from what the player has).
 */
final class FlvMedia extends LiveMedia {

    private final PlayerTimeline timeline = new PlayerTimeline();
    private final FlvTagWriter out;
    /** Made once: a method reference evaluated per tag would allocate per tag. */
    private final PlayerTimeline.Injector inject;
    private final ByteBufAllocator alloc;
    private ByteBuf heldMetadata;
    private ByteBuf heldVideoConfig;
    private ByteBuf heldAudioConfig;
    private long heldTimestamp;
    private boolean sawVideo;

    FlvMedia(ByteBufAllocator alloc) {
        this.alloc = alloc;
        this.out = new FlvTagWriter(alloc, LiveBody.HEADROOM);
        this.inject = out::tag;
    }

    @Override
    String protocol() {
        return "http-flv";
    }

    @Override
    String name() {
        return "FLV";
    }

    @Override
    LegMedia newLeg(Object leg, ByteBufAllocator legAlloc) {
        FlvTagReader reader = new FlvTagReader(legAlloc);
        FlvTagReader.Sink sink = new FlvTagReader.Sink() {
            @Override
            public void header(int flags) {
                out.header(flags); // the first leg's header; every later one is dropped
            }

            @Override
            public void tag(int type, long timestamp, ByteBuf data) {
                onTag(leg, type, timestamp, data);
            }
        };
        return new LegMedia() {
            @Override
            public String feed(ByteBuf in) {
                try {
                    reader.feed(in, sink);
                    return null;
                } catch (FlvFormatException e) {
                    return e.getMessage();
                }
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    private void onTag(Object leg, int type, long timestamp, ByteBuf data) {
        if (relay.feeding(leg)) {
            emit(type, timestamp, data);
        } else if (relay.candidate(leg)) {
            if (isStart(type, data)) {
                relay.switchOver(leg);
                emit(type, timestamp, data);
            } else {
                hold(type, timestamp, data);
            }
        } else {
            data.release();
        }
    }

    private boolean isStart(int type, ByteBuf data) {
        if (type == MediaTags.VIDEO) {
            return MediaTags.isVideoKeyframe(data);
        }
        return type == MediaTags.AUDIO && !sawVideo && !MediaTags.isAudioConfig(data);
    }

    /** One tag of the leg feeding the client, through the timeline. Takes ownership of {@code data}. */
    private void emit(int type, long timestamp, ByteBuf data) {
        int spliced = timeline.splices();
        long ts = timeline.map(type, timestamp, data, inject);
        if (ts == PlayerTimeline.DROP) {
            data.release();
            return;
        }
        if (type == MediaTags.VIDEO && !MediaTags.isVideoConfig(data)) {
            sawVideo = true;
        }
        relay.addBytes(data.readableBytes() + 15L);
        out.tag(type, ts, data);
        relay.sent(type != MediaTags.SCRIPT, timeline.splices() != spliced);
        if (out.full()) {
            relay.writeBatch();
        }
    }

    /** Keeps the latest configuration and metadata of a leg that does not feed the client yet; drops the rest. */
    private void hold(int type, long timestamp, ByteBuf data) {
        if (type == MediaTags.VIDEO && MediaTags.isVideoConfig(data)) {
            heldVideoConfig = replace(heldVideoConfig, data);
        } else if (type == MediaTags.AUDIO && MediaTags.isAudioConfig(data)) {
            heldAudioConfig = replace(heldAudioConfig, data);
        } else if (type == MediaTags.SCRIPT && MediaTags.isMetadata(data)) {
            heldMetadata = replace(heldMetadata, data);
        } else {
            data.release();
            return;
        }
        heldTimestamp = timestamp;
    }

    private ByteBuf replace(ByteBuf old, ByteBuf data) {
        if (old != null) {
            old.release();
        }
        // a copy, so a small config does not keep the origin's whole read buffer alive
        ByteBuf copy = alloc.buffer(data.readableBytes());
        copy.writeBytes(data, data.readerIndex(), data.readableBytes());
        data.release();
        return copy;
    }

    @Override
    void splice() {
        timeline.splice();
    }

    @Override
    void replayHeld() {
        ByteBuf m = heldMetadata;
        ByteBuf v = heldVideoConfig;
        ByteBuf a = heldAudioConfig;
        heldMetadata = null;
        heldVideoConfig = null;
        heldAudioConfig = null;
        if (m != null) {
            emit(MediaTags.SCRIPT, heldTimestamp, m);
        }
        if (v != null) {
            emit(MediaTags.VIDEO, heldTimestamp, v);
        }
        if (a != null) {
            emit(MediaTags.AUDIO, heldTimestamp, a);
        }
    }

    @Override
    void dropHeld() {
        for (ByteBuf b : new ByteBuf[] {heldMetadata, heldVideoConfig, heldAudioConfig}) {
            if (b != null) {
                b.release();
            }
        }
        heldMetadata = null;
        heldVideoConfig = null;
        heldAudioConfig = null;
    }

    @Override
    ByteBuf take() {
        return out.take();
    }

    @Override
    void end() {
        out.end();
    }

    @Override
    void release() {
        dropHeld();
        out.discard();
    }
}

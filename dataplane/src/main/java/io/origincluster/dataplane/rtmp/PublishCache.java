package io.origincluster.dataplane.rtmp;

import io.netty.channel.Channel;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.splice.MediaTags;
import java.util.ArrayDeque;

/**
 * What a publisher's session keeps to re-create its origin leg: the last metadata, the codec configurations and
 * the media since the last video keyframe (the current GOP), so a new origin can start decoding at once. Bounded
 * by bytes: past the bound the GOP no longer starts at a keyframe, so it is dropped whole and collecting resumes at
 * the next keyframe. Payloads are shared with what was forwarded (one more reference), not copied.
 */
final class PublishCache {

    private final int maxBytes;
    private final ArrayDeque<RtmpMessage> gop = new ArrayDeque<>();
    private long gopBytes;
    private boolean sawVideo;
    private RtmpMessage metadata;
    private RtmpMessage videoConfig;
    private RtmpMessage audioConfig;

    PublishCache(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** True once the publisher sent video: moves then switch at a keyframe. */
    boolean hasVideo() {
        return sawVideo;
    }

    /** Takes note of one message the publisher sent (the caller keeps its own reference). */
    void add(RtmpMessage m) {
        int type = m.type();
        if (type == RtmpMessage.DATA_AMF0) {
            if (MediaTags.isMetadata(m.payload())) {
                metadata = replace(metadata, m);
            }
            return;
        }
        if (type == RtmpMessage.VIDEO) {
            if (MediaTags.isVideoConfig(m.payload())) {
                videoConfig = replace(videoConfig, m);
                return;
            }
            sawVideo = true;
            if (MediaTags.isVideoKeyframe(m.payload())) {
                clearGop();
            } else if (gop.isEmpty()) {
                return; // no keyframe to start from yet
            }
        } else if (type == RtmpMessage.AUDIO) {
            if (MediaTags.isAudioConfig(m.payload())) {
                audioConfig = replace(audioConfig, m);
                return;
            }
            if (sawVideo && gop.isEmpty()) {
                return;
            }
        } else {
            return;
        }
        // the same holder, one more reference: encoders read payloads by index and never move them, so the
        // cache needs no duplicate of its own per message (replays take duplicates)
        gop.add(m.retain());
        gopBytes += m.payload().readableBytes();
        if (gopBytes > maxBytes) {
            clearGop();
        }
    }

    /** Sends metadata and codec configuration (what a new leg needs before any frame) to {@code to}. */
    void writeHeaders(Channel to, int streamId) {
        for (RtmpMessage m : new RtmpMessage[] {metadata, videoConfig, audioConfig}) {
            if (m != null) {
                to.write(m.retainedDuplicate().withStreamId(streamId), to.voidPromise());
            }
        }
    }

    /** Sends the headers and then the current GOP from its keyframe. */
    void writeAll(Channel to, int streamId) {
        writeHeaders(to, streamId);
        for (RtmpMessage m : gop) {
            to.write(m.retainedDuplicate().withStreamId(streamId), to.voidPromise());
        }
    }

    long bytes() {
        return gopBytes;
    }

    void release() {
        clearGop();
        metadata = replace(metadata, null);
        videoConfig = replace(videoConfig, null);
        audioConfig = replace(audioConfig, null);
    }

    private void clearGop() {
        gop.forEach(RtmpMessage::release);
        gop.clear();
        gopBytes = 0;
    }

    private static RtmpMessage replace(RtmpMessage old, RtmpMessage fresh) {
        if (old != null) {
            old.release();
        }
        return fresh == null ? null : fresh.retainedDuplicate();
    }
}

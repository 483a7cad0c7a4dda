package io.origincluster.dataplane.splice;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Keeps what one player sees continuous when its media starts coming from another origin leg (origin died, origin
 * drained, publisher reconnected). Used by every protocol that plays FLV-shaped media (RTMP play, HTTP-FLV).
 *
 * <p>Before the first {@link #splice()} media passes untouched; only codec configuration and metadata are
 * remembered. After a splice the new leg's media is dropped until a video keyframe (the first audio frame for an
 * audio-only stream); that frame is mapped to one frame interval after the last timestamp sent, and everything
 * after it is shifted by the same offset, audio and video together, so they stay in sync. Codec configuration and
 * metadata from the new leg are sent right before that keyframe only when they differ from what the player already
 * has; a frame that would go backwards on its own track right after the splice is dropped.
 *
 * <p>Not thread-safe: one instance per player, used on that player's event loop.
 */
public final class PlayerTimeline {

    /** Returned by {@link #map} for a message the caller must drop (and release). */
    public static final long DROP = -1;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final long DEFAULT_INTERVAL = 40;
    private static final long MAX_INTERVAL = 200;
    /** A track going back further than this on one leg means its publisher started again (new timeline). */
    private static final long RESTART_BACKWARDS = 1000;

    /** Receives configuration and metadata to send before the first keyframe of a new leg. */
    public interface Injector {
        /** {@code payload} is a fresh buffer the callee owns. */
        void inject(int type, long timestamp, ByteBuf payload);
    }

    private long offset;
    private long lastOut = -1;
    private long lastVideoIn = -1;
    private long lastAudioIn = -1;
    private long lastVideoOut = -1;
    private long lastAudioOut = -1;
    private long interval = DEFAULT_INTERVAL;
    private boolean sawVideo;
    private boolean awaitingStart;
    private int splices;
    private byte[] sentVideoConfig;
    private byte[] sentAudioConfig;
    private byte[] sentMetadata;
    private byte[] newVideoConfig;
    private byte[] newAudioConfig;
    private byte[] newMetadata;
    private long spliceStartedNanos;
    private long lastStallNanos = -1;

    /** The next messages come from a new leg whose timestamps have nothing to do with the old one's. */
    public void splice() {
        if (!awaitingStart) {
            spliceStartedNanos = System.nanoTime();
        }
        awaitingStart = true;
        newVideoConfig = null;
        newAudioConfig = null;
        newMetadata = null;
    }

    /** True between {@link #splice()} and the frame the player resumes on. */
    public boolean awaitingStart() {
        return awaitingStart;
    }

    /** When the current wait began ({@link System#nanoTime()}), meaningful while {@link #awaitingStart()}. */
    public long awaitingSinceNanos() {
        return spliceStartedNanos;
    }

    /** Completed splices. */
    public int splices() {
        return splices;
    }

    /** How long the last completed splice kept the player without media, or -1 if none completed. */
    public long lastStallNanos() {
        return lastStallNanos;
    }

    /** True once the stream carried video frames: a splice then resumes at a video keyframe. */
    public boolean hasVideo() {
        return sawVideo;
    }

    /** The last media timestamp sent to the player, or -1. */
    public long lastTimestamp() {
        return lastOut;
    }

    /**
     * Decides one media message ({@link MediaTags#AUDIO}, {@link MediaTags#VIDEO} or {@link MediaTags#SCRIPT}) of
     * the current leg: the timestamp to send it with, or {@link #DROP}. The payload is only read.
     */
    public long map(int type, long timestamp, ByteBuf payload, Injector injector) {
        if (type != MediaTags.AUDIO && type != MediaTags.VIDEO && type != MediaTags.SCRIPT) {
            return awaitingStart ? DROP : shift(timestamp);
        }
        if (!awaitingStart && type != MediaTags.SCRIPT && restarted(type, timestamp)) {
            // the same leg, a new publish (nginx-rtmp says nothing to players when its publisher comes back)
            splice();
        }
        if (awaitingStart) {
            return whileAwaiting(type, timestamp, payload, injector);
        }
        long out = shift(timestamp);
        switch (type) {
            case MediaTags.VIDEO -> {
                if (MediaTags.isVideoConfig(payload)) {
                    byte[] b = bytes(payload);
                    if (java.util.Arrays.equals(b, sentVideoConfig)) {
                        return DROP; // a decoder has it already
                    }
                    sentVideoConfig = b;
                    return out;
                }
                if (splices > 0 && lastVideoOut >= 0 && behind(out, lastVideoOut) > 0) {
                    return DROP;
                }
                sawVideo = true;
                if (lastVideoIn >= 0) {
                    long d = (timestamp - lastVideoIn) & MASK;
                    if (d > 0 && d <= MAX_INTERVAL) {
                        interval = d;
                    }
                }
                lastVideoIn = timestamp;
                lastVideoOut = out;
            }
            case MediaTags.AUDIO -> {
                if (MediaTags.isAudioConfig(payload)) {
                    byte[] b = bytes(payload);
                    if (java.util.Arrays.equals(b, sentAudioConfig)) {
                        return DROP;
                    }
                    sentAudioConfig = b;
                    return out;
                }
                if (splices > 0 && lastAudioOut >= 0 && behind(out, lastAudioOut) > 0) {
                    return DROP;
                }
                lastAudioIn = timestamp;
                lastAudioOut = out;
            }
            default -> {
                if (MediaTags.isMetadata(payload)) {
                    byte[] b = bytes(payload);
                    if (java.util.Arrays.equals(b, sentMetadata)) {
                        return DROP;
                    }
                    sentMetadata = b;
                }
                return out;
            }
        }
        if (lastOut < 0 || behind(lastOut, out) > 0) {
            lastOut = out;
        }
        return out;
    }

    private boolean restarted(int type, long timestamp) {
        long last = type == MediaTags.VIDEO ? lastVideoIn : lastAudioIn;
        return last >= 0 && behind(timestamp, last) > RESTART_BACKWARDS;
    }

    /** How far {@code a} is before {@code b} on the 32-bit clock (0 when it is not before). */
    private static long behind(long a, long b) {
        long d = (b - a) & MASK;
        return d < 0x8000_0000L ? d : 0;
    }

    private long whileAwaiting(int type, long timestamp, ByteBuf payload, Injector injector) {
        boolean start;
        if (type == MediaTags.VIDEO) {
            if (MediaTags.isVideoConfig(payload)) {
                newVideoConfig = bytes(payload);
                return DROP;
            }
            start = MediaTags.isVideoKeyframe(payload);
        } else if (type == MediaTags.AUDIO) {
            if (MediaTags.isAudioConfig(payload)) {
                newAudioConfig = bytes(payload);
                return DROP;
            }
            start = !sawVideo;
        } else {
            if (MediaTags.isMetadata(payload)) {
                newMetadata = bytes(payload);
            }
            return DROP;
        }
        if (!start) {
            return DROP;
        }
        long target = lastOut < 0 ? 0 : lastOut + interval;
        offset = (target - timestamp) & MASK;
        long out = shift(timestamp);
        sentMetadata = injectIfChanged(MediaTags.SCRIPT, out, newMetadata, sentMetadata, injector);
        sentVideoConfig = injectIfChanged(MediaTags.VIDEO, out, newVideoConfig, sentVideoConfig, injector);
        sentAudioConfig = injectIfChanged(MediaTags.AUDIO, out, newAudioConfig, sentAudioConfig, injector);
        awaitingStart = false;
        splices++;
        lastStallNanos = System.nanoTime() - spliceStartedNanos;
        lastAudioIn = -1;
        if (type == MediaTags.VIDEO) {
            lastVideoIn = timestamp;
            lastVideoOut = out;
        } else {
            lastAudioOut = out;
            lastAudioIn = timestamp;
        }
        lastOut = out;
        return out;
    }

    private static byte[] injectIfChanged(int type, long ts, byte[] fresh, byte[] sent, Injector injector) {
        if (fresh == null || java.util.Arrays.equals(fresh, sent)) {
            return sent;
        }
        injector.inject(type, ts, Unpooled.wrappedBuffer(fresh.clone()));
        return fresh;
    }

    private long shift(long timestamp) {
        return (timestamp + offset) & MASK;
    }

    private static byte[] bytes(ByteBuf p) {
        return ByteBufUtil.getBytes(p, p.readerIndex(), p.readableBytes());
    }
}

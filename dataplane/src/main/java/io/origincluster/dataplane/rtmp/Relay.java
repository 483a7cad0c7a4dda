package io.origincluster.dataplane.rtmp;

import io.origincluster.dataplane.metrics.SessionMeter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.rtmp.codec.RtmpProtocolException;
import io.origincluster.dataplane.splice.MediaTags;
import io.origincluster.dataplane.splice.PlayerTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Moves messages between a client and its origin leg once both are set up, and replaces the origin leg while the
 * client stays connected. All channels share one event loop and have auto-read off: a side is read again only
 * when the other side is writable, so a slow reader stalls only its own origin connection and never grows the
 * proxy's buffers past the write-buffer high-water mark. Messages are forwarded as they were decoded (payload
 * slices, no copies); only the message stream id is mapped and protocol control stays on its own leg.
 *
 * <p>Replacing the leg ({@link OriginSwitcher} decides when and opens the new one):
 * <ul>
 *   <li>play: the player's media goes through a {@link PlayerTimeline}; a new leg (or the same origin's stream
 *   restarting after its publisher came back) is spliced in at a keyframe with timestamps rebased, and the origin's
 *   own end-of-stream statuses are held back so the player waits instead of stopping. Make-before-break: the new
 *   leg is opened while the old one plays and takes over at its first keyframe.</li>
 *   <li>publish: the session keeps a {@link PublishCache}; a new leg gets metadata and codec configuration, then
 *   either the publisher's next keyframe on (make-before-break) or the cached GOP (the old leg is gone).</li>
 * </ul>
 */
final class Relay {

    private static final Set<String> PLAY_END = Set.of("NetStream.Play.UnpublishNotify", "NetStream.Play.Stop",
            "NetStream.Play.Complete");
    private static final Set<String> PLAY_RESTART = Set.of("NetStream.Play.PublishNotify", "NetStream.Play.Start",
            "NetStream.Play.Reset");
    private static final int MAX_INCOMING_HEADERS = 8;
    /**
     * A moving publisher switches at its first keyframe this long after its new leg is ready, so that the players
     * moving with it (here or on other proxies, all told by the same drain event) are already playing on the new
     * origin when that keyframe arrives: an origin without a GOP cache (nginx-rtmp) gives a late player nothing to
     * start from until the next keyframe.
     */
    static final long PUBLISH_SWITCH_SETTLE_NANOS = 500_000_000L;

    private final OriginSwitcher session;
    private final Channel client;
    private final LegControl clientControl;
    private final int clientStreamId;
    private final boolean publish;
    private final PlayerTimeline timeline;
    private final PublishCache cache;
    private final PlayerTimeline.Injector injector = this::inject;
    private final List<RtmpMessage> incomingHeaders = new ArrayList<>();
    private OriginLeg active;
    private OriginLeg incoming;
    private boolean switchAtKeyframe;
    private long switchNotBefore;
    private int completedSplices;
    private long lastActivityNanos = System.nanoTime();
    private long lastMediaNanos;
    private long writableAgainNanos;
    private final SessionMeter meter;

    Relay(OriginSwitcher session, Channel client, LegControl clientControl, OriginLeg leg, int clientStreamId,
          boolean publish, int publishBufferBytes, SessionMeter meter) {
        this.meter = meter;
        this.session = session;
        this.client = client;
        this.clientControl = clientControl;
        this.clientStreamId = clientStreamId;
        this.publish = publish;
        this.active = leg;
        this.timeline = publish ? null : new PlayerTimeline();
        this.cache = publish ? new PublishCache(publishBufferBytes) : null;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    OriginLeg active() {
        return active;
    }

    OriginLeg incoming() {
        return incoming;
    }

    /**
     * How long a player has had no audio or video, once it had some (0 before the first frame). A player that is not
     * taking what it was sent is not waiting for its stream: while it is unwritable its origin leg is not read, so
     * the silence is its own, and the clock restarts when it drains.
     */
    long mediaSilentNanos() {
        if (lastMediaNanos == 0 || !client.isWritable()) {
            return 0;
        }
        return System.nanoTime() - Math.max(lastMediaNanos, writableAgainNanos);
    }

    /** When the player's current wait for media began. */
    long waitingSinceNanos() {
        return timeline == null ? System.nanoTime() : timeline.awaitingSinceNanos();
    }

    /** A player waiting for media after a splice (new leg, or its publisher went away). */
    boolean awaitingMedia() {
        return timeline != null && timeline.awaitingStart();
    }

    // ------------------------------------------------------------------ client to origin

    void fromClient(RtmpMessage m) {
        if (m.isProtocolControl()) {
            if (clientControl.consume(m)) {
                return;
            }
            if (active == null) {
                m.release();
                return;
            }
            mapUserControlStream(m.payload(), clientStreamId, active.streamId());
            active.channel().write(m, active.channel().voidPromise());
            return;
        }
        if (cache != null) {
            cache.add(m);
            if (switchAtKeyframe && System.nanoTime() - switchNotBefore >= 0 && (!cache.hasVideo()
                    || m.type() == RtmpMessage.VIDEO && MediaTags.isVideoKeyframe(m.payload()))) {
                completeSwitch(false);
            }
        }
        if (active == null) {
            m.release(); // media is in the cache; the new leg starts from it
            return;
        }
        Channel to = active.channel();
        int toSid = active.streamId();
        if (m.type() == RtmpMessage.COMMAND_AMF0 && clientStreamId != toSid && isDeleteStream(m)) {
            m.release();
            to.write(Replies.call(to.alloc(), "deleteStream", 0, 0, (double) toSid), to.voidPromise());
            return;
        }
        meter.fromClient(m.payload().readableBytes());
        to.write(clientStreamId != toSid && m.streamId() == clientStreamId ? m.withStreamId(toSid) : m,
                to.voidPromise());
    }

    // ------------------------------------------------------------------ origin to client

    void fromOrigin(OriginLeg leg, RtmpMessage m) {
        if (m.isProtocolControl() && leg.control().consume(m)) {
            return;
        }
        if (leg == incoming && !publish) {
            fromIncomingPlay(leg, m);
            return;
        }
        if (leg != active) {
            m.release(); // a publisher's new leg before the switch, or a leg already replaced
            return;
        }
        if (publish) {
            forwardToClient(m, leg.streamId(), m.timestamp());
            return;
        }
        if (m.isProtocolControl()) {
            // user control of the media stream: the client already had its StreamBegin, and an EOF or dry
            // event from an origin whose publisher left must not end a player that is being held
            int event = ControlMessages.userControlEvent(m);
            if (event == ControlMessages.STREAM_BEGIN || event == ControlMessages.STREAM_EOF
                    || event == ControlMessages.STREAM_DRY) {
                m.release();
                return;
            }
            forwardToClient(m, leg.streamId(), m.timestamp());
            return;
        }
        if (m.type() == RtmpMessage.COMMAND_AMF0 && playStatus(m)) {
            return;
        }
        deliver(m, leg.streamId());
    }

    /** Consumes the origin's play statuses that describe its publisher coming and going; true if consumed. */
    private boolean playStatus(RtmpMessage m) {
        RtmpCommand c;
        try {
            c = RtmpCommand.decode(m);
        } catch (RtmpProtocolException e) {
            return false;
        }
        if (!"onStatus".equals(c.name())) {
            return false;
        }
        Object code = c.info().get("code");
        if (PLAY_END.contains(code)) {
            m.release();
            timeline.splice();
            session.playerWaiting("publisher left the origin");
            return true;
        }
        if (PLAY_RESTART.contains(code)) {
            m.release();
            return true;
        }
        return false;
    }

    /** Media (and anything else) of the active leg through the player's timeline. */
    private void deliver(RtmpMessage m, int fromSid) {
        int type = m.type();
        boolean media = type == RtmpMessage.AUDIO || type == RtmpMessage.VIDEO || type == RtmpMessage.DATA_AMF0;
        if (!media) {
            forwardToClient(m, fromSid, m.timestamp());
            return;
        }
        long ts = timeline.map(type == RtmpMessage.DATA_AMF0 ? MediaTags.SCRIPT : type, m.timestamp(),
                m.payload(), injector);
        if (ts == PlayerTimeline.DROP) {
            m.release();
            return;
        }
        if (type != RtmpMessage.DATA_AMF0) {
            long now = System.nanoTime();
            if (timeline.splices() != completedSplices) {
                // the stall the client saw: since the last frame it got (from the old leg), not since the splice
                completedSplices = timeline.splices();
                session.playerResumed(lastMediaNanos == 0 ? timeline.lastStallNanos() : now - lastMediaNanos);
            }
            lastMediaNanos = now;
        }
        forwardToClient(m, fromSid, ts);
    }

    private void inject(int type, long ts, ByteBuf payload) {
        int rtmpType = type == MediaTags.SCRIPT ? RtmpMessage.DATA_AMF0 : type;
        int csid = type == MediaTags.AUDIO ? 4 : type == MediaTags.VIDEO ? 6 : Replies.STREAM_CSID;
        client.write(new RtmpMessage(csid, rtmpType, ts, clientStreamId, payload), client.voidPromise());
    }

    private void forwardToClient(RtmpMessage m, int fromSid, long ts) {
        if (m.isProtocolControl()) {
            mapUserControlStream(m.payload(), fromSid, clientStreamId);
        }
        int sid = m.streamId() == fromSid ? clientStreamId : m.streamId();
        // at most one new holder per message, only when the stream id or the (rebased) timestamp changes
        RtmpMessage out = sid == m.streamId() && ts == m.timestamp() ? m
                : new RtmpMessage(m.chunkStreamId(), m.type(), ts, sid, m.content());
        meter.toClient(out.payload().readableBytes());
        client.write(out, client.voidPromise());
    }

    /** A player's new leg before it takes over: keep its headers, take over at its first keyframe. */
    private void fromIncomingPlay(OriginLeg leg, RtmpMessage m) {
        int type = m.type();
        ByteBuf p = m.payload();
        boolean start = type == RtmpMessage.VIDEO && MediaTags.isVideoKeyframe(p)
                || type == RtmpMessage.AUDIO && !MediaTags.isAudioConfig(p) && !timeline.hasVideo();
        boolean header = type == RtmpMessage.DATA_AMF0 && MediaTags.isMetadata(p)
                || type == RtmpMessage.VIDEO && MediaTags.isVideoConfig(p)
                || type == RtmpMessage.AUDIO && MediaTags.isAudioConfig(p);
        if (header && incomingHeaders.size() < MAX_INCOMING_HEADERS) {
            incomingHeaders.add(m);
            return;
        }
        if (!start) {
            m.release();
            return;
        }
        completeSwitch(false);
        deliver(m, leg.streamId());
    }

    // ------------------------------------------------------------------ replacing the leg

    /** The active leg failed: it is gone; media waits for {@link #adopt}. */
    void dropActive() {
        active = null;
        if (timeline != null) {
            timeline.splice();
        }
    }

    /** A new leg after the old one is gone (break-before-make). */
    void adopt(OriginLeg leg) {
        active = leg;
        if (timeline != null) {
            timeline.splice();
        } else {
            cache.writeAll(leg.channel(), leg.streamId());
        }
        leg.attach(this);
        leg.channel().flush();
        client.read();
    }

    /** A new leg while the old one still works (make-before-break): it takes over at the next keyframe. */
    void beginSwitch(OriginLeg leg) {
        incoming = leg;
        if (publish) {
            cache.writeHeaders(leg.channel(), leg.streamId());
            switchAtKeyframe = true;
            switchNotBefore = System.nanoTime() + PUBLISH_SWITCH_SETTLE_NANOS;
        }
        leg.attach(this);
        leg.channel().flush();
    }

    /** The drain deadline passed before a clean switch point: switch now. */
    void forceSwitch() {
        if (incoming != null) {
            completeSwitch(true);
        }
    }

    private void completeSwitch(boolean forced) {
        OriginLeg old = active;
        OriginLeg next = incoming;
        incoming = null;
        switchAtKeyframe = false;
        active = next;
        if (old != null) {
            old.detach();
            old.channel().close();
        }
        if (publish) {
            if (forced) {
                cache.writeAll(next.channel(), next.streamId());
            }
        } else {
            timeline.splice();
            for (RtmpMessage h : incomingHeaders) {
                deliver(h, next.streamId());
            }
            incomingHeaders.clear();
        }
        session.switched(old, next, forced);
    }

    /** A leg closed: the active one means the origin is lost; a new one failing means the move must retry. */
    void originClosed(OriginLeg leg, Throwable cause) {
        if (leg == active) {
            session.originLost(leg, cause);
        } else if (leg == incoming) {
            incoming = null;
            switchAtKeyframe = false;
            releaseIncomingHeaders();
            session.moveLegLost(leg, cause);
        }
    }

    // ------------------------------------------------------------------ flow control

    /** After a read batch from the client: flush to the origin, acknowledge, and read on if it keeps up. */
    void clientReadComplete() {
        lastActivityNanos = System.nanoTime();
        clientControl.acknowledge();
        if (active == null) {
            client.read(); // a publisher keeps going into the cache while its new leg connects
            return;
        }
        // a flush can fail at once on a reset origin and replace or drop the leg before it returns
        active.channel().flush();
        if (incoming != null) {
            incoming.channel().flush();
        }
        OriginLeg now = active;
        if (now == null || now.channel().isWritable()) {
            client.read();
        }
    }

    void originReadComplete(OriginLeg leg) {
        lastActivityNanos = System.nanoTime();
        leg.control().acknowledge();
        client.flush();
        if (client.isWritable()) {
            leg.channel().read();
        }
    }

    void clientWritabilityChanged() {
        if (client.isWritable()) {
            writableAgainNanos = System.nanoTime();
            if (active != null) {
                active.channel().read();
            }
            if (incoming != null) {
                incoming.channel().read();
            }
        }
    }

    void originWritabilityChanged(OriginLeg leg) {
        if (leg == active && leg.channel().isWritable()) {
            client.read();
        }
    }

    void start() {
        OriginLeg leg = active;
        client.flush();
        leg.channel().flush();
        client.read();
        leg.channel().read();
    }

    void release() {
        releaseIncomingHeaders();
        if (cache != null) {
            cache.release();
        }
    }

    private void releaseIncomingHeaders() {
        incomingHeaders.forEach(RtmpMessage::release);
        incomingHeaders.clear();
    }

    /** Stream begin/EOF/dry/buffer length/recorded name a message stream in bytes 2-5 of the event. */
    private static void mapUserControlStream(ByteBuf p, int fromSid, int toSid) {
        int at = p.readerIndex() + 2;
        if (fromSid != toSid && p.readableBytes() >= 6 && p.getInt(at) == fromSid) {
            p.setInt(at, toSid);
        }
    }

    private static boolean isDeleteStream(RtmpMessage m) {
        try {
            return "deleteStream".equals(RtmpCommand.decode(m).name());
        } catch (RtmpProtocolException e) {
            return false;
        }
    }
}

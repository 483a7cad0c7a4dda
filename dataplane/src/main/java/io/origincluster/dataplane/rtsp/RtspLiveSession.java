package io.origincluster.dataplane.rtsp;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.routing.MovableSession;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.Protocol;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RTSP session as {@link io.origincluster.dataplane.routing.LiveSessions} sees it: counted on its origin, and
 * when that origin drains or leaves, ended at the drain deadline (RTSP has no clean point to switch an origin
 * under a client: the SDP, sequence numbers and timestamps are the origin's). The client reconnects and the
 * routing core sends it to another origin; until the deadline it keeps playing or publishing where it is.
 */
final class RtspLiveSession implements MovableSession {

    private static final Logger log = LoggerFactory.getLogger(RtspLiveSession.class);

    private final String sid;
    private final StreamKey key;
    private final String backendId;
    private final Consumer<String> atDeadline;
    private final Channel channel;
    private ScheduledFuture<?> timer;
    private boolean ended;

    RtspLiveSession(String sid, StreamKey key, String backendId, Consumer<String> atDeadline, Channel channel) {
        this.sid = sid;
        this.key = key;
        this.backendId = backendId;
        this.atDeadline = atDeadline;
        this.channel = channel;
    }

    @Override
    public String sid() {
        return sid;
    }

    @Override
    public StreamKey key() {
        return key;
    }

    @Override
    public Protocol protocol() {
        return Protocol.RTSP;
    }

    @Override
    public String backendId() {
        return backendId;
    }

    @Override
    public void moveOff(String backend, String reason, long deadlineNanos) {
        if (!backend.equals(backendId)) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (ended || timer != null) {
                return; // the audit asks again every few seconds: one deadline is enough
            }
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            timer = channel.eventLoop().schedule(() -> atDeadline.accept(reason.replace("origin ", "")), delay,
                    TimeUnit.NANOSECONDS);
            log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", backendId)
                    .addKeyValue("inMs", delay / 1_000_000).log("{}: the RTSP session ends at the deadline", reason);
        });
    }

    /** The session ended on its own: no deadline to wait for. Called on the event loop. */
    void ended() {
        ended = true;
        if (timer != null) {
            timer.cancel(false);
        }
    }
}

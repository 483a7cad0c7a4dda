package io.origincluster.dataplane.rtmp;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.routing.DeferredMove;
import io.origincluster.dataplane.routing.MovableSession;
import io.origincluster.dataplane.routing.MoveStats;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.state.Protocol;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a relaying session's origin leg while its client stays connected: when the leg dies (break-before-make,
 * bounded by {@code PROXY_PLAYER_HOLD}), when its origin drains (make-before-break, bounded by the drain deadline),
 * and holds a player whose publisher went away. New legs come only from the routing core, avoiding the origins this
 * session left, so every session of a stream on every proxy follows one atomic re-pin. Runs on the client's loop.
 */
final class OriginSwitcher implements MovableSession {

    private static final Logger log = LoggerFactory.getLogger(OriginSwitcher.class);
    private static final long RETRY_MILLIS = 250;

    private final ClientSession session;
    private final RtmpServer server;
    private final Channel client;
    private final RtmpRequest request;
    private final long holdNanos;
    private final Set<String> avoid = new HashSet<>();
    private Relay relay;
    private volatile String backendId;
    private boolean connecting;
    private String moveReason;
    private long moveStartedNanos;
    private long deadlineNanos;
    private boolean makeBeforeBreak;
    private ScheduledFuture<?> deadlineTimer;
    private ScheduledFuture<?> holdTimer;
    private boolean ended;
    private final DeferredMove deferred = new DeferredMove();

    OriginSwitcher(ClientSession session, RtmpServer server, Channel client, RtmpRequest request, String backendId) {
        this.session = session;
        this.server = server;
        this.client = client;
        this.request = request;
        this.backendId = backendId;
        this.holdNanos = server.hitless().playerHold().toNanos();
    }

    void bind(Relay r) {
        relay = r;
    }

    @Override
    public String sid() {
        return session.sid();
    }

    @Override
    public StreamKey key() {
        return request.key();
    }

    @Override
    public Protocol protocol() {
        return Protocol.RTMP;
    }

    @Override
    public String backendId() {
        return backendId;
    }

    long holdNanos() {
        return holdNanos;
    }

    /** True while the session has no working leg or a player waits for its stream: idleness is the hold's call. */
    boolean recovering() {
        return relay.active() == null || relay.awaitingMedia();
    }

    @Override
    public void moveOff(String from, String reason, long deadline) {
        client.eventLoop().execute(() -> {
            if (ended) {
                return;
            }
            if (moveReason != null || relay.active() == null) {
                deferred.defer(from, reason, deadline);
                return;
            }
            if (from.equals(backendId)) {
                startMove(from, reason, deadline);
            }
        });
    }

    private void startMove(String from, String reason, long deadline) {
        begin(reason.contains("drain") ? "drain" : "origin-removed", from);
        deadlineNanos = deadline;
        makeBeforeBreak = true;
        long delay = Math.max(0, deadline - System.nanoTime());
        deadlineTimer = client.eventLoop().schedule(this::drainDeadline, delay, TimeUnit.NANOSECONDS);
        openLeg();
    }

    /** The active leg died: keep the client, re-route, resume. */
    void originLost(OriginLeg lost, Throwable cause) {
        if (ended) {
            return;
        }
        String dead = lost.route().backend().id();
        if (holdNanos == 0) {
            session.end("origin closed", cause != null ? cause : new IOException("origin closed"));
            return;
        }
        log.atWarn().addKeyValue("sid", session.sid()).addKeyValue("key", request.key()).addKeyValue("backend", dead)
                .log("origin leg lost ({}), re-routing", cause == null ? "closed" : cause.toString());
        server.routing().originLost(request.key(), dead);
        if (relay.incoming() != null) {
            relay.forceSwitch(); // a move was under way: its new leg takes over now
            return;
        }
        relay.dropActive();
        lost.detach();
        lost.channel().close();
        if (moveReason == null) {
            begin("origin-lost", dead);
        }
        avoid.add(dead);
        makeBeforeBreak = false;
        deadlineNanos = System.nanoTime() + holdNanos;
        if (!request.publish()) {
            playerWaiting("origin lost");
        }
        openLeg();
    }

    /** A move's new leg died before it took over: try another while there is time. */
    void moveLegLost(OriginLeg leg, Throwable cause) {
        avoid.add(leg.route().backend().id());
        server.routing().originLost(request.key(), leg.route().backend().id());
        retryLater(cause);
    }

    /** The relay switched legs. */
    void switched(OriginLeg old, OriginLeg next, boolean forced) {
        backendId = next.route().backend().id();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
        log.atInfo().addKeyValue("sid", session.sid()).addKeyValue("key", request.key())
                .addKeyValue("from", old == null ? null : old.route().backend().id()).addKeyValue("to", backendId)
                .addKeyValue("forced", forced).log("origin leg switched");
        if (request.publish()) {
            finish(MoveStats.Outcome.COMPLETED, forced ? System.nanoTime() - moveStartedNanos : 0);
        }
    }

    /** A player gets no media (new leg, or its publisher went away); it ends if nothing comes within the hold. */
    void playerWaiting(String why) {
        if (holdTimer == null && !ended) {
            holdTimer = client.eventLoop().schedule(this::holdCheck, holdNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A player got media again after {@code stallNanos}. */
    void playerResumed(long stallNanos) {
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        String reason = moveReason == null ? "publisher-return" : moveReason;
        if (moveReason == null) {
            server.routing().sessions().stats().record("rtmp", reason, MoveStats.Outcome.STARTED, -1);
        }
        log.atInfo().addKeyValue("sid", session.sid()).addKeyValue("key", request.key())
                .addKeyValue("backend", backendId).addKeyValue("stallMs", stallNanos / 1_000_000)
                .addKeyValue("reason", reason).log("player resumed");
        moveReason = reason;
        finish(MoveStats.Outcome.COMPLETED, stallNanos);
    }

    private void holdCheck() {
        holdTimer = null;
        if (ended || !recovering()) {
            return;
        }
        long waited = relay.active() == null ? holdNanos : System.nanoTime() - relayWaitStart();
        if (waited < holdNanos) {
            holdTimer = client.eventLoop().schedule(this::holdCheck, holdNanos - waited, TimeUnit.NANOSECONDS);
            return;
        }
        holdExpired("waiting for a leg or a keyframe");
    }

    /**
     * A player's stream did not come back within the hold (an origin that tells players nothing when their
     * publisher leaves, like nginx-rtmp, is noticed by the media stopping): end it as the stream's end.
     */
    void holdExpired(String why) {
        if (ended) {
            return;
        }
        if (!request.publish()) {
            // the end a player would have seen without the hold: its stream is over
            client.write(ControlMessages.userControl(client.alloc(), ControlMessages.STREAM_EOF,
                    session.clientStreamId()), client.voidPromise());
            client.writeAndFlush(Replies.onStatus(client.alloc(), session.clientStreamId(), "status",
                    "NetStream.Play.UnpublishNotify", "the stream did not come back"), client.voidPromise());
        }
        finish(MoveStats.Outcome.FAILED, -1);
        session.end("stream did not come back within " + holdNanos / 1_000_000 + " ms (" + why + ")", null);
    }

    private long relayWaitStart() {
        return relay.waitingSinceNanos();
    }

    private void drainDeadline() {
        deadlineTimer = null;
        if (ended || moveReason == null) {
            return;
        }
        if (relay.incoming() != null) {
            relay.forceSwitch();
            return;
        }
        // no new leg yet: leave the drained origin anyway and wait for one like after a failure
        OriginLeg old = relay.active();
        if (old != null && old.route().backend().id().equals(backendId)) {
            log.atWarn().addKeyValue("sid", session.sid()).addKeyValue("key", request.key())
                    .addKeyValue("backend", backendId).log("drain deadline passed without a new origin leg");
            relay.dropActive();
            old.detach();
            old.channel().close();
            makeBeforeBreak = false;
            deadlineNanos = System.nanoTime() + holdNanos;
            if (!request.publish()) {
                playerWaiting("drain deadline");
            }
            openLeg();
        }
    }

    private void begin(String reason, String from) {
        moveReason = reason;
        moveStartedNanos = System.nanoTime();
        avoid.add(from);
        server.routing().sessions().stats().record("rtmp", reason, MoveStats.Outcome.STARTED, -1);
    }

    private void finish(MoveStats.Outcome outcome, long stallNanos) {
        if (moveReason != null) {
            server.routing().sessions().stats().record("rtmp", moveReason, outcome, stallNanos);
        }
        moveReason = null;
        avoid.clear();
        deferred.replay(this);
    }

    private void openLeg() {
        if (connecting || ended) {
            return;
        }
        connecting = true;
        boolean mbb = makeBeforeBreak;
        server.meters().connect(server.routing(), request.key(), Protocol.RTMP, Set.copyOf(avoid), route -> {
            if (ended) {
                return CompletableFuture.<OriginLeg>completedFuture(null);
            }
            return OriginLeg.connect(client, server.transports(), route, request, server.connectTimeout()).ready();
        }).whenComplete((l, err) -> {
            if (client.eventLoop().inEventLoop()) {
                opened(l, err, mbb);
            } else {
                client.eventLoop().execute(() -> opened(l, err, mbb));
            }
        });
    }

    private void opened(OriginLeg l, Throwable err, boolean mbb) {
        connecting = false;
        if (ended) {
            if (l != null) {
                l.channel().close();
            }
            return;
        }
        if (err == null && l != null && l.rejection() != null) {
            Map<String, Object> r = l.rejection();
            l.channel().close();
            err = new IOException("origin " + l.route().backend().id() + " refused: " + r.get("code"));
        }
        if (err != null || l == null) {
            retryLater(err);
            return;
        }
        if (relay.active() == null) {
            relay.adopt(l);
            switched(null, l, !mbb);
        } else if (mbb && moveReason != null) {
            relay.beginSwitch(l);
        } else {
            l.channel().close(); // the old leg recovered or the move was cancelled meanwhile
        }
    }

    private void retryLater(Throwable cause) {
        if (System.nanoTime() - deadlineNanos < 0) {
            client.eventLoop().schedule(() -> {
                if (!ended && (relay.active() == null || moveReason != null && relay.incoming() == null)) {
                    openLeg();
                }
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (relay.active() == null) {
            finish(MoveStats.Outcome.FAILED, -1);
            session.end("no origin took the stream within the hold", cause);
        } else {
            log.atWarn().addKeyValue("sid", session.sid()).addKeyValue("key", request.key())
                    .log("move off {} failed: {}", backendId, cause == null ? "no leg" : cause.toString());
            finish(MoveStats.Outcome.FAILED, -1);
        }
    }

    void end() {
        ended = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
    }
}

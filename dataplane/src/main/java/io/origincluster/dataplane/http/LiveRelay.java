package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.routing.DeferredMove;
import io.origincluster.dataplane.routing.LiveSessions;
import io.origincluster.dataplane.routing.MovableSession;
import io.origincluster.dataplane.routing.MoveStats;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.Protocol;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live HTTP-FLV or HTTP-TS response that outlives its origin connection. The origin's stream is parsed unit by
 * unit and re-framed for the client by a {@link LiveMedia} (FLV tags through a {@code PlayerTimeline}, TS packets
 * through a {@code TsSplicer}), so the client gets one continuous stream however many origin legs feed it:
 *
 * <ul>
 *   <li><b>Origin lost</b> (reset, end of stream, idle timeout after the response started): the client is kept,
 *   the origin unpinned ({@link RoutingCore#originLost}), and the same GET goes to the origin the routing core
 *   picks without it; while that answers 404 or refuses, it is retried with a short backoff for
 *   {@code PROXY_PLAYER_HOLD}; then the response ends normally. A clean end of the origin's response (the
 *   publisher left) is retried the same way without unpinning anything.</li>
 *   <li><b>Moved</b> ({@link #moveOff}, the origin drains or leaves): make-before-break. The new leg is opened
 *   while the old one keeps feeding the client; the new leg is read (keeping only what a splice needs) until its
 *   first splice point, where the client switches over and the old leg is closed. If the deadline comes first, the
 *   old leg is closed and the new one takes over whenever it delivers (break-before-make).</li>
 * </ul>
 *
 * Everything runs on the client's event loop, which also owns every origin leg's channel.
 */
final class LiveRelay extends OriginExchange implements MovableSession {

    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);
    static final String DRAIN = "drain";
    static final String ORIGIN_LOST = "origin-lost";
    static final String STREAM_ENDED = "stream-ended";
    private static final long RETRY_MIN_MS = 200;
    private static final long RETRY_MAX_MS = 500;

    /** One origin connection with the request already built for it. */
    record Dialed(Route route, Channel channel, HttpRequest request) { }

    /** Opens a leg for the stream on an origin the routing core picks outside {@code avoid}. */
    interface Dialer {
        CompletionStage<Dialed> dial(Set<String> avoid);
    }

    /** A move in progress: from the loss or the move request to the first frame of the new leg. */
    private static final class Move {
        final String reason;
        final long startedNanos;
        /** When the client got its last frame before the old leg stopped feeding it. */
        long lastMediaNanos;
        final Set<String> avoid = new HashSet<>();
        /** True while the old leg still feeds the client (make-before-break). */
        boolean makeBeforeBreak;
        long deadlineNanos;
        boolean dialing;
        ScheduledFuture<?> timer;
        ScheduledFuture<?> retry;
        int attempts;

        Move(String reason, long lastMediaNanos) {
            this.reason = reason;
            this.startedNanos = System.nanoTime();
            this.lastMediaNanos = lastMediaNanos;
        }
    }

    private final StreamKey key;
    private final Dialer dialer;
    private final LiveSessions sessions;
    private final Duration playerHold;
    private final LiveMedia media;
    private final long startedNanos = System.nanoTime();
    private RoutingCore routing;
    private ScheduledFuture<?> touchTimer;
    private Leg current;
    private Leg next;
    private Move move;
    private final DeferredMove deferred = new DeferredMove();
    private boolean live;
    private boolean passthrough;
    private boolean paused;
    private boolean registered;
    /** The body's writer, set with the response head. */
    private LiveBody body;
    private volatile String backendId = "";
    private long lastMediaNanos = System.nanoTime();
    private long bytes;
    private int moves;

    LiveRelay(HttpStreamHandler owner, ChannelHandlerContext client, HttpRequest clientRequest, String sid,
              StreamKey key, LiveMedia media, Dialer dialer, LiveSessions sessions, Duration playerHold) {
        super(owner, client, clientRequest, sid);
        this.media = media;
        media.bind(this);
        this.key = key;
        this.dialer = dialer;
        this.sessions = sessions;
        this.playerHold = playerHold;
    }

    // ---------------------------------------------------------------- MovableSession

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
        return Protocol.HTTP;
    }

    @Override
    public String backendId() {
        return backendId;
    }

    @Override
    public void moveOff(String fromBackend, String reason, long deadlineNanos) {
        onLoop(() -> {
            if (!finished && live && move != null) {
                deferred.defer(fromBackend, reason, deadlineNanos);
                return;
            }
            if (finished || !live || current == null || !current.backend().equals(fromBackend)) {
                return;
            }
            Move m = new Move(DRAIN, lastMediaNanos);
            m.makeBeforeBreak = true;
            m.avoid.add(fromBackend);
            m.deadlineNanos = deadlineNanos;
            beginMove(m, reason + " (make-before-break)");
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            m.timer = client.channel().eventLoop().schedule(() -> moveDeadline(m), delay, TimeUnit.NANOSECONDS);
            dial(m);
        });
    }

    // ---------------------------------------------------------------- exchange

    @Override
    void start(Route connectedRoute, Channel connected, HttpRequest upstream, RoutingCore routingCore,
               Duration touchEvery) {
        this.route = connectedRoute;
        this.routing = routingCore;
        if (finished || !client.channel().isActive()) {
            finished = true;
            connected.close();
            return;
        }
        current = new Leg(connectedRoute, connected, true);
        backendId = connectedRoute.backend().id();
        origin = connected;
        if (!current.open(upstream)) {
            current = null;
            fail(HttpResponseStatus.BAD_GATEWAY, "origin " + backendId + " closed the connection at once");
            return;
        }
        long every = touchEvery.toMillis();
        touchTimer = client.channel().eventLoop().scheduleAtFixedRate(() -> {
            if (current != null) {
                routing.touch(key, current.backend());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    boolean awaitingOrigin() {
        // while a leg is being replaced the client gets nothing: that is the origin's silence, not the client's
        return !finished && (!responseStarted || move != null);
    }

    @Override
    void clientWritable() {
        if (paused && !finished && current != null) {
            paused = false;
            current.channel.read();
        }
    }

    @Override
    void abort() {
        if (!finished) {
            logEnd("client closed");
            if (move != null) {
                recordMove(move, MoveStats.Outcome.FAILED, -1);
            }
        }
        super.abort();
    }

    @Override
    protected void end() {
        finished = true;
        if (touchTimer != null) {
            touchTimer.cancel(false);
        }
        if (move != null) {
            cancelTimers(move);
            move = null;
        }
        if (current != null) {
            current.close();
            current = null;
        }
        if (next != null) {
            next.close();
            next = null;
        }
        media.release();
        if (registered) {
            registered = false;
            sessions.remove(this);
        }
        origin = null;
        super.end();
    }

    // ---------------------------------------------------------------- what the legs report

    private void onHead(Leg leg, HttpResponse r) {
        if (leg.first && !responseStarted) {
            responseStarted = true;
            boolean spliceable = r.status().code() == 200 && !HttpUtil.isContentLengthSet(r) && !head;
            HttpResponse out = clientResponse(r);
            client.write(out);
            if (!spliceable) {
                passthrough = true;
                leg.streaming = true;
                return;
            }
            live = true;
            body = new LiveBody(client, HttpUtil.isTransferEncodingChunked(out));
            leg.streaming = true;
            registered = true;
            sessions.add(this);
            String backend = leg.backend();
            String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
            // as a task: it runs after this read's flush, so formatting and writing the line is not in the first byte
            client.channel().eventLoop().execute(() -> log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key)
                    .addKeyValue("backend", backend).addKeyValue("contentType", contentType)
                    .log("{} stream started", media.protocol()));
            return;
        }
        if (r.status().code() != 200 || HttpUtil.isContentLengthSet(r)) {
            // alive, just without the stream (yet): the publisher may still be on its way there
            legFailed(leg, true, "origin " + leg.backend() + " answered " + r.status().code());
            return;
        }
        leg.streaming = true;
        if (leg == next && move != null && !move.makeBeforeBreak) {
            becomeCurrent(leg);
        }
    }

    private void onContent(Leg leg, HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (passthrough) {
            bytes += c.content().readableBytes();
            sentToClient(c.content().readableBytes());
            client.write(c.retain());
            if (last) {
                client.flush();
                logEnd("origin ended the response");
                finish(keepClient);
            }
            return;
        }
        if (!leg.streaming) {
            return;
        }
        String error = leg.media.feed(c.content().retain());
        if (error != null) {
            String why = "origin " + leg.backend() + " sent bad " + media.name() + ": " + error;
            if (leg != current) {
                legFailed(leg, false, why); // a candidate leg: nothing of it reached the client
                return;
            }
            // the stream the client gets cannot be continued from this leg; what it got so far is intact
            writeBatch();
            client.flush();
            fail(HttpResponseStatus.BAD_GATEWAY, why);
            return;
        }
        writeBatch();
        if (last && !finished) {
            legFailed(leg, true, "origin " + leg.backend() + " ended the response");
        }
    }

    /** The leg whose media goes to the client now. */
    boolean feeding(Object leg) {
        return !finished && leg == current;
    }

    /** A make-before-break leg: read until its first splice point, then {@link #switchOver}. */
    boolean candidate(Object leg) {
        return !finished && leg == next && move != null && move.makeBeforeBreak;
    }

    private void onReadComplete(Leg leg) {
        if (finished) {
            return;
        }
        writeBatch();
        client.flush();
        if (leg == current) {
            if (client.channel().isWritable()) {
                leg.channel.read();
            } else {
                paused = true;
            }
        } else if (leg == next) {
            // a make-before-break leg only yields its configuration until its first keyframe: read it freely
            leg.channel.read();
        }
    }

    /** A leg ended or failed. {@code clean}: the origin ended the response or answered without the stream. */
    private void legFailed(Leg leg, boolean clean, String why) {
        legFailed(leg, clean, HttpResponseStatus.BAD_GATEWAY, why);
    }

    /** @param status the answer for the client when nothing was sent to it yet */
    private void legFailed(Leg leg, boolean clean, HttpResponseStatus status, String why) {
        if (finished || leg.closed) {
            return;
        }
        leg.close();
        if (passthrough || !live) {
            if (clean && responseStarted) {
                client.flush();
                logEnd(why);
                finish(keepClient);
            } else {
                fail(status, why);
            }
            return;
        }
        if (!clean) {
            routing.originLost(key, leg.backend());
        }
        if (leg == current) {
            current = null;
            writeBatch();
            client.flush();
            if (move == null) {
                Move m = new Move(clean ? STREAM_ENDED : ORIGIN_LOST, lastMediaNanos);
                if (!clean) {
                    m.avoid.add(leg.backend());
                }
                beginMove(m, why);
                breakBeforeMake(m);
                dial(m);
            } else {
                if (!clean) {
                    move.avoid.add(leg.backend());
                }
                if (move.makeBeforeBreak) {
                    log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).log("old leg lost during a move: {}",
                            why);
                    breakBeforeMake(move);
                } else {
                    media.splice();
                    retryLater(move, why);
                }
            }
        } else if (leg == next) {
            next = null;
            media.dropHeld();
            if (move != null) {
                if (!clean) {
                    move.avoid.add(leg.backend());
                }
                retryLater(move, why);
            }
        }
    }

    // ---------------------------------------------------------------- moves

    private void beginMove(Move m, String why) {
        move = m;
        moves++;
        recordMove(m, MoveStats.Outcome.STARTED, -1);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", backendId)
                .addKeyValue("reason", m.reason).log("moving {} session: {}", media.protocol(), why);
    }

    /** The old leg is gone: the client waits (up to the hold) for the next leg's splice point. */
    private void breakBeforeMake(Move m) {
        m.makeBeforeBreak = false;
        m.lastMediaNanos = lastMediaNanos;
        media.splice();
        if (current != null) {
            current.close();
            current = null;
        }
        if (m.timer != null) {
            m.timer.cancel(false);
        }
        m.deadlineNanos = System.nanoTime() + playerHold.toNanos();
        m.timer = client.channel().eventLoop().schedule(() -> holdExpired(m), playerHold.toNanos(),
                TimeUnit.NANOSECONDS);
        if (next != null && next.streaming) {
            Leg n = next;
            becomeCurrent(n);
        }
    }

    private void moveDeadline(Move m) {
        if (move != m || finished || !m.makeBeforeBreak) {
            return;
        }
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key)
                .log("move deadline reached before the new leg had a keyframe: closing the old leg");
        breakBeforeMake(m);
    }

    private void holdExpired(Move m) {
        if (move != m || finished) {
            return;
        }
        recordMove(m, MoveStats.Outcome.FAILED, -1);
        move = null;
        cancelTimers(m);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("attempts", m.attempts)
                .log("no origin delivered the stream within the player hold of {} ms: ending the response",
                        playerHold.toMillis());
        media.end();
        writeBatch();
        client.write(LastHttpContent.EMPTY_LAST_CONTENT);
        client.flush();
        logEnd("stream did not come back");
        finish(keepClient);
    }

    private void dial(Move m) {
        if (move != m || finished || m.dialing || next != null) {
            return;
        }
        m.dialing = true;
        m.retry = null;
        m.attempts++;
        dialer.dial(Set.copyOf(m.avoid)).whenComplete((d, err) -> onLoop(() -> {
            m.dialing = false;
            if (err != null) {
                if (move == m && !finished) {
                    retryLater(m, "no origin: " + unwrap(err).getMessage());
                }
                return;
            }
            if (move != m || finished || next != null) {
                d.channel().close();
                return;
            }
            Leg leg = new Leg(d.route(), d.channel(), false);
            next = leg;
            if (!leg.open(d.request())) {
                next = null;
                retryLater(m, "origin " + leg.backend() + " closed the connection at once");
            }
        }));
    }

    private void retryLater(Move m, String why) {
        if (move != m || finished || m.retry != null && !m.retry.isDone()) {
            return;
        }
        long delay = ThreadLocalRandom.current().nextLong(RETRY_MIN_MS, RETRY_MAX_MS + 1);
        log.atDebug().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("attempt", m.attempts)
                .log("new leg not ready ({}), retrying in {} ms", why, delay);
        m.retry = client.channel().eventLoop().schedule(() -> dial(m), delay, TimeUnit.MILLISECONDS);
    }

    /** Make-before-break: the new leg reached its splice point; it feeds the client from there on. */
    void switchOver(Object candidate) {
        Leg leg = (Leg) candidate;
        Leg old = current;
        current = null;
        if (old != null) {
            old.close();
        }
        media.splice();
        becomeCurrent(leg);
    }

    /** {@code leg} feeds the client from now on; the timeline already waits for its start. */
    private void becomeCurrent(Leg leg) {
        next = null;
        current = leg;
        paused = false;
        backendId = leg.backend();
        route = leg.route;
        origin = leg.channel;
        routing.touch(key, leg.backend());
        media.replayHeld();
    }

    /**
     * The media wrote to the client: {@code media} false for metadata only; {@code spliced} when this completed a
     * splice (the new leg's first frame went out).
     */
    void sent(boolean isMedia, boolean spliced) {
        long now = System.nanoTime();
        if (spliced && move != null) {
            moveCompleted(move, now);
        }
        if (isMedia) {
            lastMediaNanos = now;
        }
    }

    void addBytes(long n) {
        bytes += n;
    }

    private void moveCompleted(Move m, long now) {
        long stall = now - m.lastMediaNanos;
        if (m.makeBeforeBreak) {
            // the old leg fed the client up to this very tag
            stall = now - lastMediaNanos;
        }
        cancelTimers(m);
        move = null;
        recordMove(m, MoveStats.Outcome.COMPLETED, stall);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", backendId)
                .addKeyValue("reason", m.reason).addKeyValue("attempts", m.attempts)
                .addKeyValue("stallMs", stall / 1_000_000).addKeyValue("moveMs", (now - m.startedNanos) / 1_000_000)
                .log("{} session moved", media.protocol());
        deferred.replay(this);
    }

    /** Writes what the media framed so far to the client (not flushed). */
    void writeBatch() {
        ByteBuf b = media.take();
        if (b == null) {
            return;
        }
        sentToClient(b.readableBytes());
        if (body != null) {
            body.write(b);
        } else {
            client.write(new DefaultHttpContent(b));
        }
    }

    private void recordMove(Move m, MoveStats.Outcome outcome, long stallNanos) {
        sessions.stats().record(media.protocol(), m.reason, outcome, stallNanos);
    }

    private static void cancelTimers(Move m) {
        if (m.timer != null) {
            m.timer.cancel(false);
        }
        if (m.retry != null) {
            m.retry.cancel(false);
        }
    }

    private void logEnd(String why) {
        if (!finished) {
            log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("bytes", bytes)
                    .addKeyValue("moves", moves).addKeyValue("ms", (System.nanoTime() - startedNanos) / 1_000_000)
                    .log("http stream ended: {}", why);
        }
    }

    private void onLoop(Runnable task) {
        if (client.channel().eventLoop().inEventLoop()) {
            task.run();
        } else {
            client.channel().eventLoop().execute(task);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Moves and splices so far (for tests). */
    int moves() {
        return moves;
    }

    // ---------------------------------------------------------------- one origin connection

    /** The handler at the end of one origin connection's pipeline. */
    private final class Leg extends ChannelInboundHandlerAdapter {
        final Route route;
        final Channel channel;
        final boolean first;
        final LiveMedia.LegMedia media;
        boolean streaming;
        boolean closed;

        Leg(Route route, Channel channel, boolean first) {
            this.route = route;
            this.channel = channel;
            this.first = first;
            this.media = LiveRelay.this.media.newLeg(this, channel.alloc());
        }

        String backend() {
            return route.backend().id();
        }

        /** Installs the handler and sends the request; false when the connection is already gone. */
        boolean open(HttpRequest request) {
            channel.pipeline().addLast("exchange", this);
            if (!channel.isActive()) {
                close();
                ReferenceCountUtil.release(request);
                return false;
            }
            channel.writeAndFlush(request).addListener(f -> {
                if (!f.isSuccess()) {
                    legFailed(this, false, "origin " + backend() + " rejected the request: " + f.cause());
                }
            });
            channel.read();
            return true;
        }

        void close() {
            if (!closed) {
                closed = true;
                media.close();
                channel.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (closed || finished) {
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    onHead(this, r);
                }
                if (msg instanceof HttpContent c && !closed) {
                    onContent(this, c);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!closed) {
                onReadComplete(this);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            legFailed(this, false, "origin " + backend() + " closed the connection");
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                if (this == current && paused) {
                    return; // the client is slow, not the origin: its own idle timeout covers that
                }
                legFailed(this, false, HttpResponseStatus.GATEWAY_TIMEOUT,
                        "origin sent nothing for the idle timeout (" + backend() + ")");
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            legFailed(this, false, "bad answer from origin " + backend() + ": " + cause.getMessage());
        }
    }
}

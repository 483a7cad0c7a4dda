package io.origincluster.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.metrics.SessionMeter;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.RoutingCore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request relayed to one origin connection. It sits at the end of the origin channel's pipeline; the
 * client side ({@link HttpStreamHandler}) tells it when the client becomes writable or goes away. Everything runs on
 * the one event loop the two channels share. Subclasses decide what to do with the origin's answer.
 */
abstract class OriginExchange extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(OriginExchange.class);

    protected final HttpStreamHandler owner;
    protected final ChannelHandlerContext client;
    protected final HttpRequest clientRequest;
    protected final String sid;
    protected final boolean clientKeepAlive;
    protected final boolean head;
    protected Route route;
    protected Channel origin;
    protected boolean responseStarted;
    protected boolean finished;
    /** Whether the client connection can take another request after this response (set with the head). */
    protected boolean keepClient;
    private ScheduledFuture<?> touchTask;
    private OriginConnector pool;
    /** Set by a subclass once the origin's whole response was read and the origin keeps the connection open. */
    protected boolean originReusable;
    /** The client session's meters (routed requests only); ended once with the result when the exchange ends. */
    private SessionMeter meter;
    /** Why the exchange failed before its response, when known; else {@link #end} derives the result. */
    SessionMetrics.Result failure;

    OriginExchange(HttpStreamHandler owner, ChannelHandlerContext client, HttpRequest clientRequest, String sid) {
        this.owner = owner;
        this.client = client;
        this.clientRequest = clientRequest;
        this.sid = sid;
        this.clientKeepAlive = HttpUtil.isKeepAlive(clientRequest);
        this.head = HttpMethod.HEAD.equals(clientRequest.method());
    }

    /** Sends {@code upstream} on a connected origin channel and starts reading its answer. */
    void start(Route connectedRoute, Channel connected, HttpRequest upstream, RoutingCore routing, Duration touchEvery) {
        this.route = connectedRoute;
        this.origin = connected;
        if (finished || !client.channel().isActive()) {
            finished = true;
            connected.close();
            return;
        }
        connected.pipeline().addLast("exchange", this);
        if (!connected.isActive()) {
            // closed between connect and now: its inactive event went by before this handler was there
            fail(HttpResponseStatus.BAD_GATEWAY, "origin " + route.backend().id() + " closed the connection at once");
            return;
        }
        connected.writeAndFlush(upstream).addListener(f -> {
            if (!f.isSuccess()) {
                fail(HttpResponseStatus.BAD_GATEWAY, "origin " + route.backend().id() + " rejected the request: "
                        + f.cause());
            }
        });
        connected.read();
        routing.touch(route.key(), route.backend().id());
        long every = touchEvery.toMillis();
        touchTask = connected.eventLoop().scheduleAtFixedRate(
                () -> routing.touch(route.key(), route.backend().id()), every, every, TimeUnit.MILLISECONDS);
    }

    /** After a complete keep-alive response the origin connection goes back to {@code connector}'s pool. */
    void reuseVia(OriginConnector connector) {
        this.pool = connector;
    }

    void metered(SessionMeter m) {
        meter = m;
    }

    SessionMeter meter() {
        return meter;
    }

    /** Counts bytes sent to the client. */
    protected void sentToClient(long bytes) {
        if (meter != null) {
            meter.toClient(bytes);
        }
    }

    /** Ends the session's meters (once) with the failure set before, or else {@code fallback}. */
    void endMeter(SessionMetrics.Result fallback) {
        if (meter != null) {
            meter.end(failure != null ? failure : fallback);
        }
    }

    /** The client went away: drop the origin request at once. */
    void abort() {
        if (!finished) {
            log.atDebug().addKeyValue("sid", sid).log("client gone, closing origin request");
        }
        end();
    }

    /** The client can take more bytes again. */
    void clientWritable() {
    }

    /** True while the origin has not answered yet; the origin's idle timeout covers that time, not the client's. */
    boolean awaitingOrigin() {
        return !finished && !responseStarted;
    }

    protected void finish(boolean keepClient) {
        if (finished) {
            return;
        }
        end();
        owner.exchangeDone(this, keepClient);
    }

    /** Answers the client with an error if nothing was sent yet, else cuts the client connection. */
    protected void fail(HttpResponseStatus status, String message) {
        if (finished) {
            return;
        }
        if (!responseStarted && failure == null) {
            failure = SessionMetrics.Result.ORIGIN_REFUSED;
        }
        end();
        if (responseStarted) {
            log.atWarn().addKeyValue("sid", sid).addKeyValue("key", route == null ? null : route.key())
                    .addKeyValue("backend", route == null ? null : route.backend().id())
                    .log("origin response cut short: {}", message);
            client.close();
        } else {
            owner.exchangeFailed(this, status, message);
        }
    }

    /** Stops everything the exchange holds (timers, origin connections); runs once the exchange is over. */
    protected void end() {
        finished = true;
        endMeter(responseStarted ? SessionMetrics.Result.OK : SessionMetrics.Result.ABANDONED);
        if (touchTask != null) {
            touchTask.cancel(false);
        }
        if (origin != null) {
            if (pool != null && originReusable && origin.isActive()) {
                origin.pipeline().remove(this);
                pool.release(origin, route.address());
            } else {
                origin.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(HttpResponseStatus.BAD_GATEWAY, "origin closed the connection before the response ended");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "origin sent nothing for the idle timeout");
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(HttpResponseStatus.BAD_GATEWAY, "bad answer from origin: " + cause.getMessage());
    }

    /**
     * The response head for the client from the origin's: its headers (see {@link #copyResponseHeaders}), the
     * origin's Content-Length, else chunked (HTTP/1.1) or close-delimited (HTTP/1.0); sets {@link #keepClient}.
     */
    protected HttpResponse clientResponse(HttpResponse r) {
        HttpVersion version = clientRequest.protocolVersion();
        DefaultHttpResponse out = new DefaultHttpResponse(version, r.status());
        copyResponseHeaders(r.headers(), out.headers());
        int code = r.status().code();
        boolean noBody = head || code == 204 || code == 304 || code < 200;
        boolean delimited = true;
        if (HttpUtil.isContentLengthSet(r)) {
            out.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        } else if (!noBody) {
            if (version.isKeepAliveDefault()) {
                HttpUtil.setTransferEncodingChunked(out, true);
            } else {
                delimited = false; // HTTP/1.0: the body ends when the connection does
            }
        }
        keepClient = clientKeepAlive && delimited;
        if (!keepClient) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!version.isKeepAliveDefault()) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return out;
    }

    /** Origin response headers for the client: the origin's own, without hop-by-hop ones, plus CORS. */
    protected static void copyResponseHeaders(HttpHeaders from, HttpHeaders to) {
        HopByHop.copy(from, to);
        to.remove("Access-Control-Allow-Origin");
        to.remove("Access-Control-Allow-Headers");
        to.remove("Access-Control-Allow-Methods");
        to.remove("Access-Control-Expose-Headers");
        Responses.cors(to);
    }
}

package io.origincluster.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.origincluster.dataplane.Version;
import io.origincluster.dataplane.auth.AccessDenied;
import io.origincluster.dataplane.auth.AccessRequest;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.netty.SessionIds;
import io.origincluster.dataplane.routing.StreamKey;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One client connection of the HTTP stream server. Requests are answered one at a time in order (a few pipelined
 * ones wait in a short queue); the connection's AUTO_READ is off, so nothing more is read while a response is
 * being produced, except a request body, which is drained and dropped.
 *
 * <p>Routing: {@code *.flv} and {@code *.ts} are live streams and {@code *.m3u8}/{@code *.mpd} manifests, all to the stream's
 * pinned origin; a request carrying an HLS token goes where the token says (see {@link OriginRouter});
 * {@code /api/v1/versions}; static files; anything else 404.
 */
final class HttpStreamHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpStreamHandler.class);
    private static final int MAX_PIPELINED = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USAGE = "streams are /<app>/<stream>.flv, .ts, .m3u8 or .mpd";

    private final HttpStreamServices services;
    private final OriginRouter router;
    private final ArrayDeque<HttpRequest> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean readingBody;
    private boolean busy;
    private boolean closing;
    private OriginExchange exchange;

    HttpStreamHandler(HttpStreamServices services, OriginRouter router) {
        this.services = services;
        this.router = router;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req) {
                readingBody = !(msg instanceof LastHttpContent);
                if (closing) {
                    return;
                }
                if (!req.decoderResult().isSuccess()) {
                    rejectMalformed(req);
                } else if (busy) {
                    if (pipelined.size() >= MAX_PIPELINED) {
                        log.atDebug().addKeyValue("from", ctx.channel().remoteAddress())
                                .log("too many pipelined requests, closing");
                        ctx.close();
                    } else {
                        pipelined.add(req);
                    }
                } else {
                    busy = true;
                    handle(req);
                }
            } else if (msg instanceof HttpContent && msg instanceof LastHttpContent) {
                readingBody = false;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!closing && (readingBody || !busy)) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null) {
            exchange.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
        pipelined.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (exchange == null || !exchange.awaitingOrigin()) {
                log.atDebug().addKeyValue("from", ctx.channel().remoteAddress()).log("client idle, closing");
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.atDebug().addKeyValue("from", ctx.channel().remoteAddress()).log("client connection error: {}",
                cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- request dispatch

    private void handle(HttpRequest req) {
        HttpVersion version = req.protocolVersion();
        String uri = req.uri();
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            respond(req, Responses.text(version, HttpResponseStatus.BAD_REQUEST,
                    "bad request target '" + abbreviate(uri) + "': expected a path; " + USAGE), false);
            return;
        }
        QueryStringDecoder qsd;
        String path;
        Map<String, List<String>> params;
        try {
            qsd = new QueryStringDecoder(uri);
            path = qsd.path();
            params = qsd.parameters();
        } catch (IllegalArgumentException e) {
            respond(req, Responses.text(version, HttpResponseStatus.BAD_REQUEST,
                    "bad URL '" + abbreviate(uri) + "': " + e.getMessage()), false);
            return;
        }
        HttpMethod method = req.method();
        if (HttpMethod.OPTIONS.equals(method)) {
            FullHttpResponse r = Responses.full(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER, null);
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, OPTIONS");
            respond(req, r, !readingBody);
            return;
        }
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse r = Responses.text(version, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method " + method + " is not allowed here; use GET, HEAD or OPTIONS");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, OPTIONS");
            respond(req, r, false);
            return;
        }
        if (path.equals("/api/v1/versions")) {
            respond(req, Responses.json(version, "{\"code\":0,\"server\":\"" + Version.SIGNATURE + "\",\"pid\":\""
                    + ProcessHandle.current().pid() + "\",\"data\":{\"major\":" + Version.MAJOR + ",\"minor\":"
                    + Version.MINOR + ",\"revision\":" + Version.REVISION + ",\"version\":\"" + Version.VERSION
                    + "\"}}"), true);
            return;
        }
        String ext = extension(path);
        String token = first(params, HlsToken.PARAM);
        String sid = SessionIds.next();
        try {
            if (token != null) {
                router.serveTokened(this, ctx, req, qsd, path, ext, token, sid);
            } else if (ext.equals("m3u8") || ext.equals("mpd")) {
                StreamKey key = StreamKey.fromHttp(req.headers().get(HttpHeaderNames.HOST), path, params);
                admitThen(req, key, qsd, () -> router.proxyByPin(this, ctx, key,
                        router.manifestRelay(ext, this, ctx, req, sid), req, qsd));
            } else if ((ext.equals("flv") || ext.equals("ts")) && HttpMethod.GET.equals(method)) {
                StreamKey key = StreamKey.fromHttp(req.headers().get(HttpHeaderNames.HOST), path, params);
                admitThen(req, key, qsd, () -> router.proxyLive(this, ctx, key, req, qsd, sid, ext.equals("flv")));
            } else if (ext.equals("flv") || ext.equals("ts")) {
                StreamKey key = StreamKey.fromHttp(req.headers().get(HttpHeaderNames.HOST), path, params);
                admitThen(req, key, qsd, () -> router.proxyByPin(this, ctx, key,
                        new StreamRelay(this, ctx, req, sid, true), req, qsd));
            } else {
                serveStatic(req, qsd, path);
            }
        } catch (IllegalArgumentException e) {
            respond(req, Responses.text(version, HttpResponseStatus.BAD_REQUEST,
                    "bad stream URL '" + abbreviate(path) + "': " + e.getMessage()), true);
        }
    }

    /**
     * Runs {@code proxy} once access control admits playing {@code key}, else answers 401/403 with a JSON body.
     * Segments never come here: their signed segment URIs (HLS tokens) already carry the playlist's admission.
     */
    private void admitThen(HttpRequest req, StreamKey key, QueryStringDecoder qsd, Runnable proxy) {
        AccessRequest access = new AccessRequest(Action.PLAY, "http", key, qsd.rawQuery(), null,
                AccessRequest.ipOf(ctx.channel().remoteAddress()));
        services.routing().admit(access).whenComplete((a, err) -> onLoop(() -> {
            if (a != null) {
                a.release(); // a player holds nothing
            }
            if (closing || !ctx.channel().isActive()) {
                return;
            }
            if (err == null) {
                proxy.run();
                return;
            }
            AccessDenied d = AccessDenied.of(err);
            AccessDenied.Status status = d != null ? d.status() : AccessDenied.Status.UNAVAILABLE;
            String why = d != null ? d.getMessage() : String.valueOf(err);
            services.meters().open().end(io.origincluster.dataplane.metrics.SessionMetrics.Result.DENIED);
            ObjectNode body = JSON.createObjectNode().put("code", status.code).put("error", why);
            FullHttpResponse r = Responses.full(req.protocolVersion(), HttpResponseStatus.valueOf(status.code),
                    Unpooled.copiedBuffer(body.toString(), java.nio.charset.StandardCharsets.UTF_8),
                    "application/json");
            respond(req, r, true);
        }));
    }

    /** Inline when already on this connection's loop (an answer known at once: {@code PROXY_AUTH=off}). */
    private void onLoop(Runnable r) {
        if (ctx.executor().inEventLoop()) {
            r.run();
        } else {
            ctx.executor().execute(r);
        }
    }

    /** A request the codec could not parse: answer once and close. */
    private void rejectMalformed(HttpRequest req) {
        Throwable cause = req.decoderResult().cause();
        HttpResponseStatus status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            message = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            message = "request headers too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            message = "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage());
        }
        log.atDebug().addKeyValue("from", ctx.channel().remoteAddress()).log("rejected request: {}", message);
        busy = true;
        respond(req, Responses.text(HttpVersion.HTTP_1_1, status, message), false);
    }

    // ---------------------------------------------------------------- static files

    private void serveStatic(HttpRequest req, QueryStringDecoder qsd, String path) {
        HttpVersion version = req.protocolVersion();
        StaticFiles files = services.staticFiles();
        StaticFiles.Result result = files == null ? new StaticFiles.Missing() : files.resolve(path);
        if (result instanceof StaticFiles.Missing && services.players() != null && PlayerPages.covers(path)) {
            // PROXY_STATIC_FILES wins where it has the file (SRS's own research/players folder, say)
            FullHttpResponse page = services.players().serve(version, path);
            if (page != null) {
                respond(req, page, true);
                return;
            }
        }
        if (result instanceof StaticFiles.Found f) {
            boolean keep = HttpUtil.isKeepAlive(req);
            HttpResponse r = new DefaultHttpResponse(version, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, f.length());
            r.headers().set(HttpHeaderNames.SERVER, Responses.SERVER);
            Responses.cors(r.headers());
            setConnection(r, version, keep);
            ctx.write(r);
            if (!HttpMethod.HEAD.equals(req.method()) && f.length() > 0) {
                ctx.write(new DefaultFileRegion(f.file().toFile(), 0, f.length()));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            done(keep);
        } else if (result instanceof StaticFiles.Redirect) {
            FullHttpResponse r = Responses.text(version, HttpResponseStatus.MOVED_PERMANENTLY, "see folder");
            String q = qsd.rawQuery();
            r.headers().set(HttpHeaderNames.LOCATION, qsd.rawPath() + "/" + (q.isEmpty() ? "" : "?" + q));
            respond(req, r, true);
        } else if (result instanceof StaticFiles.Forbidden fb) {
            respond(req, Responses.text(version, HttpResponseStatus.FORBIDDEN,
                    "forbidden: " + fb.why()), true);
        } else {
            respond(req, Responses.text(version, HttpResponseStatus.NOT_FOUND,
                    "no stream or file at " + abbreviate(path) + "; " + USAGE), true);
        }
    }

    // ---------------------------------------------------------------- response plumbing

    private void respond(HttpRequest req, FullHttpResponse r, boolean keepAllowed) {
        boolean keep = keepAllowed && HttpUtil.isKeepAlive(req);
        if (HttpMethod.HEAD.equals(req.method())) {
            r.content().clear();
        }
        setConnection(r, req.protocolVersion(), keep);
        ctx.writeAndFlush(r);
        done(keep);
    }

    private static void setConnection(HttpResponse r, HttpVersion version, boolean keep) {
        if (!keep) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!version.isKeepAliveDefault()) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** The current response is complete (or queued): close, or take the next request. */
    private void done(boolean keepAlive) {
        if (!keepAlive) {
            closing = true;
            pipelined.clear();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        busy = false;
        if (!pipelined.isEmpty()) {
            busy = true;
            handle(pipelined.poll());
        } else if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    /** The origin request for the current client request has begun; the client side now reports to it. */
    void exchangeStarted(OriginExchange ex) {
        exchange = ex;
    }

    /** Answers the current request with a text error (HLS token refusals and similar). */
    void respondText(HttpRequest req, HttpResponseStatus status, String message) {
        respond(req, Responses.text(req.protocolVersion(), status, message), true);
    }

    void exchangeDone(OriginExchange ex, boolean keepAlive) {
        if (exchange == ex) {
            exchange = null;
            done(keepAlive);
        }
    }

    void exchangeFailed(OriginExchange ex, HttpResponseStatus status, String message) {
        if (exchange == ex) {
            exchange = null;
            ex.finished = true;
            ex.endMeter(io.origincluster.dataplane.metrics.SessionMetrics.Result.ORIGIN_REFUSED);
            LoggingEventBuilder line = (status.code() >= 500 ? log.atWarn() : log.atInfo()).addKeyValue("sid", ex.sid);
            if (ex.route != null) {
                line = line.addKeyValue("key", ex.route.key()).addKeyValue("backend", ex.route.backend().id());
            }
            line.addKeyValue("uri", abbreviate(ex.clientRequest.uri())).addKeyValue("status", status.code())
                    .log("request failed: {}", message);
            respond(ex.clientRequest, Responses.text(ex.clientRequest.protocolVersion(), status, message), true);
        }
    }

    // ---------------------------------------------------------------- small helpers



    static String extension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash ? path.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> l = params.get(name);
        return l == null || l.isEmpty() ? null : l.get(0);
    }



    static String abbreviate(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 200 ? clean : clean.substring(0, 200) + "...";
    }
}

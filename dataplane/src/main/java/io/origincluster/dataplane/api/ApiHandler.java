package io.origincluster.dataplane.api;

import static io.origincluster.dataplane.api.JsonEnvelope.jsonBytes;
import static io.origincluster.dataplane.api.JsonEnvelope.jsonObject;
import static io.origincluster.dataplane.api.JsonEnvelope.textField;
import static io.origincluster.dataplane.api.Replies.copy;
import static io.origincluster.dataplane.api.Replies.error;
import static io.origincluster.dataplane.api.Replies.forwarded;
import static io.origincluster.dataplane.api.Replies.response;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.origincluster.dataplane.Version;
import io.origincluster.dataplane.netty.SessionIds;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.auth.AccessDenied;
import io.origincluster.dataplane.auth.Admitted;
import io.origincluster.dataplane.auth.AccessRequest;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.webrtc.Sdp;
import io.origincluster.state.Protocol;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP API connection. Requests are handled one at a time (reading pauses while a request is with an origin),
 * every reply carries CORS headers, and every failure becomes a 4xx/5xx with a one-line text body.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final List<CharSequence> REQUEST_HEADERS = List.of(HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.IF_MATCH, HttpHeaderNames.ACCEPT);

    /** The signalling endpoints; {@code json} ones wrap the SDP in SRS's {@code {"sdp": ...}} envelope. */
    enum Api {
        WHIP("/rtc/v1/whip", false), WHEP("/rtc/v1/whep", false),
        PUBLISH("/rtc/v1/publish", true), PLAY("/rtc/v1/play", true);

        final String prefix;
        final boolean json;

        Api(String prefix, boolean json) {
            this.prefix = prefix;
            this.json = json;
        }

        static Api of(String path) {
            for (Api a : values()) {
                if (path.equals(a.prefix) || path.startsWith(a.prefix + "/")) {
                    return a;
                }
            }
            return null;
        }
    }

    private record Routed(Route route, OriginResponse reply, Admitted lease) { }

    private final ApiContext ctx;
    private boolean inFlight;

    ApiHandler(ApiContext context) {
        super(true);
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        c.read();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext c, FullHttpRequest req) {
        inFlight = true;
        String sid = SessionIds.next();
        // After a decoding error the connection's framing is unknown: answer and close.
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        try {
            if (req.decoderResult().isFailure()) {
                throw new BadRequest("malformed HTTP request");
            }
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            if (req.method().equals(HttpMethod.OPTIONS)) {
                reply(c, keepAlive, response(HttpResponseStatus.OK, null, new byte[0]));
            } else if (path.equals("/api/v1/versions")) {
                byte[] body = ("{\"signature\":\"" + Version.SIGNATURE + "\",\"version\":\"" + Version.VERSION
                        + "\"}").getBytes(StandardCharsets.UTF_8);
                reply(c, keepAlive, response(HttpResponseStatus.OK, "application/json", body));
            } else if (path.startsWith(SessionResource.PREFIX)) {
                resource(c, req, sid, keepAlive);
            } else {
                Api api = Api.of(path);
                if (api == null) {
                    reply(c, keepAlive, error(HttpResponseStatus.NOT_FOUND, "no API at " + path));
                } else if (req.method().equals(HttpMethod.POST)) {
                    offer(c, req, api, q, sid, keepAlive);
                } else {
                    passThrough(c, req, api, q, sid, keepAlive);
                }
            }
        } catch (BadRequest | IllegalArgumentException e) {
            log.atInfo().addKeyValue("sid", sid).addKeyValue("uri", req.uri()).log("bad API request: {}",
                    e.getMessage());
            reply(c, keepAlive, error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
    }

    /** WHIP/WHEP POST or SRS publish/play: forward the offer, rewrite the answer, record the ICE session. */
    private void offer(ChannelHandlerContext c, FullHttpRequest req, Api api, QueryStringDecoder q, String sid,
                       boolean keepAlive) {
        byte[] body = ByteBufUtil.getBytes(req.content());
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        ObjectNode envelope = api.json ? jsonObject(body) : null;
        String offerSdp = api.json ? textField(envelope, "sdp") : new String(body, StandardCharsets.UTF_8);
        if (offerSdp == null) {
            throw new BadRequest("JSON body has no \"sdp\" string");
        }
        StreamKey key = streamKey(api, q, hostHeader, envelope);
        String offerUfrag = Sdp.iceUfrag(offerSdp);
        if (offerUfrag == null) {
            throw new BadRequest("offer SDP has no valid a=ice-ufrag line");
        }
        String stripped = Sdp.withoutCandidates(offerSdp);
        byte[] forward = api.json ? jsonBytes(envelope.put("sdp", stripped)) : stripped.getBytes(StandardCharsets.UTF_8);
        HttpHeaders headers = copy(req.headers(), REQUEST_HEADERS);
        HttpMethod method = req.method();
        String uri = req.uri();
        EventLoop loop = c.channel().eventLoop();
        Action action = api == Api.WHIP || api == Api.PUBLISH ? Action.PUBLISH : Action.PLAY;
        String streamUrl = envelope == null ? null : textField(envelope, "streamurl");
        AccessRequest access = new AccessRequest(action, "webrtc", key,
                AccessRequest.joinQueries(q.rawQuery(), AccessRequest.queryOf(streamUrl)),
                bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)), AccessRequest.ipOf(c.channel().remoteAddress()));
        Admitted[] held = {Admitted.NOTHING_HELD};
        ctx.routing().admit(access).thenCompose(admitted -> {
            held[0] = admitted; // a publisher's lease lives as long as its WebRTC session, not this request
            return ctx.meters().connect(ctx.routing(), key, Protocol.API, route -> ctx.origins()
                        .send(loop, route.address(), method, uri, headers, forward)
                        .thenApply(r -> new Routed(route, r, held[0])));
        })
                .whenComplete((routed, err) -> loop.execute(() -> {
                    if (err != null) {
                        held[0].release();
                        // a WebRTC session that never reached the media relay: counted here, where it failed
                        ctx.meters().open().end(SessionMetrics.classify(err));
                        AccessDenied denied = AccessDenied.of(err);
                        reply(c, keepAlive, denied != null ? deniedReply(denied) : originError(sid, key, err));
                    } else {
                        answer(c, keepAlive, api, sid, key, offerUfrag, hostHeader, routed);
                    }
                }));
    }

    private void answer(ChannelHandlerContext c, boolean keepAlive, Api api, String sid, StreamKey key,
                        String offerUfrag, String hostHeader, Routed routed) {
        OriginResponse r = routed.reply();
        if (!r.isSuccess()) {
            routed.lease().release();
            reply(c, keepAlive, forwarded(r, r.body(), null));
            return;
        }
        ObjectNode envelope = null;
        String answerSdp;
        try {
            envelope = api.json ? jsonObject(r.body()) : null;
            answerSdp = api.json ? textField(envelope, "sdp") : new String(r.body(), StandardCharsets.UTF_8);
        } catch (BadRequest e) {
            answerSdp = null;
        }
        String answerUfrag = Sdp.iceUfrag(answerSdp);
        if (answerUfrag == null) {
            log.atWarn().addKeyValue("sid", sid).addKeyValue("key", key)
                    .addKeyValue("backend", routed.route().backend().id()).log("origin answer has no ice-ufrag");
            routed.lease().release();
            reply(c, keepAlive, error(HttpResponseStatus.BAD_GATEWAY, "origin's answer has no a=ice-ufrag"));
            return;
        }
        String advertised = ctx.advertisedHost().forRequest(hostHeader);
        Sdp.RewrittenAnswer rewritten = Sdp.rewriteAnswer(answerSdp, advertised,
                ctx.relay().localAddress().getPort());
        InetSocketAddress media = OriginMedia.address(routed.route().backend(), rewritten);
        if (media == null) {
            routed.lease().release();
            reply(c, keepAlive, error(HttpResponseStatus.BAD_GATEWAY,
                    "origin gives no UDP host candidate and registers no udp rtc endpoint"));
            return;
        }
        String username = answerUfrag + ":" + offerUfrag;
        String backendId = routed.route().backend().id();
        Map<String, String> attributes = new java.util.HashMap<>(Map.of("sid", sid,
                "api", api.name().toLowerCase(java.util.Locale.ROOT),
                "rtcHost", media.getHostString(), "rtcPort", Integer.toString(media.getPort())));
        String answerPwd = Sdp.icePwd(answerSdp);
        if (answerPwd != null) {
            attributes.put("icePwd", answerPwd); // lets any replica verify the client's STUN before trusting it
        }
        String originResource = r.headers().get(HttpHeaderNames.LOCATION);
        String originPath = originResource == null ? null : SessionResource.originPath(originResource);
        SessionResource resource = originPath == null ? null : SessionResource.create(username);
        if (resource != null) {
            attributes.put(SessionResource.ORIGIN_PATH, originPath);
            attributes.put(SessionResource.SECRET, resource.secret());
        }
        SessionRecord record = new SessionRecord(SessionKind.WEBRTC, username, key.toString(), backendId,
                attributes);
        ctx.relay().expect(record);
        WebRtcPublisherHold.start(routed.lease(), ctx.routing().store(), username, c.channel().eventLoop(),
                ctx.settings().sessionTtl());
        byte[] body = api.json ? jsonBytes(envelope.put("sdp", rewritten.sdp()))
                : rewritten.sdp().getBytes(StandardCharsets.UTF_8);
        String proxyLocation = resource == null ? null : resource.path();
        EventLoop loop = c.channel().eventLoop();
        ctx.routing().store().putSession(record, ctx.settings().sessionTtl()).whenComplete((v, e) ->
                loop.execute(() -> {
                    if (e != null) {
                        // This replica still routes it from memory; only other replicas cannot.
                        log.atWarn().addKeyValue("sid", sid).addKeyValue("key", key)
                                .log("storing webrtc session failed: {}", e.toString());
                    }
                    log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", backendId)
                            .addKeyValue("username", username).addKeyValue("candidate", advertised)
                            .addKeyValue("origin", media.getHostString() + ":" + media.getPort())
                            .log("{} session signalled", api);
                    reply(c, keepAlive, forwarded(r, body, proxyLocation));
                }));
    }

    /**
     * PATCH (trickle ICE, ICE restart) or DELETE (teardown) on a session resource: to the origin that made the
     * session, at the path it gave. An unknown session and a wrong secret get the same 404.
     */
    private void resource(ChannelHandlerContext c, FullHttpRequest req, String sid, boolean keepAlive) {
        SessionResource res;
        try {
            res = SessionResource.parse(req.uri());
        } catch (IllegalArgumentException e) {
            reply(c, keepAlive, error(HttpResponseStatus.NOT_FOUND, "unknown session resource"));
            return;
        }
        HttpMethod method = req.method();
        if (!method.equals(HttpMethod.PATCH) && !method.equals(HttpMethod.DELETE) && !method.equals(HttpMethod.GET)) {
            reply(c, keepAlive, error(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " on a session resource"));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        byte[] forward = method.equals(HttpMethod.PATCH)
                ? Sdp.withoutCandidates(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)
                : body;
        HttpHeaders headers = copy(req.headers(), REQUEST_HEADERS);
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        EventLoop loop = c.channel().eventLoop();
        sessionOf(res).thenCompose(record -> record.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<ResourceTarget>empty())
                        : ctx.routing().store().backend(record.get().backendId()).thenApply(backend -> backend
                                .flatMap(b -> b.endpoint(Protocol.API).map(ep -> ep.resolve(b.ip())))
                                .map(api -> new ResourceTarget(record.get(), api))))
                .whenComplete((target, err) -> loop.execute(() -> {
                    if (err != null) {
                        reply(c, keepAlive, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "state store unavailable"));
                    } else if (target.isEmpty()) {
                        reply(c, keepAlive, error(HttpResponseStatus.NOT_FOUND,
                                "unknown session resource, or the origin of this session is gone"));
                    } else {
                        forwardToResource(c, keepAlive, sid, res, method, headers, forward, hostHeader, target.get());
                    }
                }));
    }

    private record ResourceTarget(SessionRecord record, InetSocketAddress api) { }

    /** The session {@code res} names: this replica's copy first (it holds it even when the store is away). */
    private CompletionStage<Optional<SessionRecord>> sessionOf(SessionResource res) {
        return ctx.relay().localRecord(res.username()).thenCompose(local -> local.isPresent()
                        ? CompletableFuture.completedFuture(local)
                        : ctx.routing().store().session(SessionKind.WEBRTC, res.username()))
                .thenApply(found -> found.filter(res::names));
    }

    private void forwardToResource(ChannelHandlerContext c, boolean keepAlive, String sid, SessionResource res,
                                   HttpMethod method, HttpHeaders headers, byte[] forward, String hostHeader,
                                   ResourceTarget target) {
        EventLoop loop = c.channel().eventLoop();
        String originPath = target.record().attributes().get(SessionResource.ORIGIN_PATH);
        ctx.origins().send(loop, target.api(), method, originPath, headers, forward).whenComplete((r, e) ->
                loop.execute(() -> {
                    if (e != null) {
                        reply(c, keepAlive, error(HttpResponseStatus.BAD_GATEWAY,
                                "origin unreachable: " + rootMessage(e)));
                        return;
                    }
                    if (method.equals(HttpMethod.DELETE) && r.isSuccess()) {
                        ctx.relay().close(res.username());
                        ctx.routing().store().removeSession(SessionKind.WEBRTC, res.username());
                        log.atInfo().addKeyValue("sid", sid).addKeyValue("username", res.username())
                                .log("webrtc session deleted");
                    }
                    byte[] out = r.body();
                    if (method.equals(HttpMethod.PATCH) && r.isSuccess() && out.length > 0) {
                        out = Sdp.rewriteAnswer(new String(out, StandardCharsets.UTF_8),
                                ctx.advertisedHost().forRequest(hostHeader),
                                ctx.relay().localAddress().getPort()).sdp().getBytes(StandardCharsets.UTF_8);
                    }
                    reply(c, keepAlive, forwarded(r, out, null));
                }));
    }

    /** Other methods on the signalling paths (SRS's own DELETE URLs): to the stream's origin, unchanged. */
    private void passThrough(ChannelHandlerContext c, FullHttpRequest req, Api api, QueryStringDecoder q,
                             String sid, boolean keepAlive) {
        StreamKey key = streamKey(api, q, req.headers().get(HttpHeaderNames.HOST), null);
        byte[] body = ByteBufUtil.getBytes(req.content());
        HttpHeaders headers = copy(req.headers(), REQUEST_HEADERS);
        HttpMethod method = req.method();
        String uri = req.uri();
        EventLoop loop = c.channel().eventLoop();
        ctx.meters().connect(ctx.routing(), key, Protocol.API, route -> ctx.origins()
                        .send(loop, route.address(), method, uri, headers, body))
                .whenComplete((r, err) -> loop.execute(() -> reply(c, keepAlive,
                        err != null ? originError(sid, key, err) : forwarded(r, r.body(), null))));
    }

    private static StreamKey streamKey(Api api, QueryStringDecoder q, String hostHeader, ObjectNode envelope) {
        Map<String, List<String>> params = q.parameters();
        boolean inQuery = params.containsKey("app") && params.containsKey("stream");
        String streamUrl = envelope == null ? null : textField(envelope, "streamurl");
        if (!inQuery && streamUrl != null) {
            // SRS's JSON API names the stream as webrtc://host/app/stream?params
            java.net.URI u = java.net.URI.create(streamUrl.trim());
            return StreamKey.fromHttp(u.getHost(), u.getPath(), params);
        }
        String rest = q.path().substring(api.prefix.length());
        return StreamKey.fromHttp(hostHeader, rest, params);
    }

    /** WHIP/WHEP clients read the status; the JSON body says why. */
    private static FullHttpResponse deniedReply(AccessDenied d) {
        byte[] body = jsonBytes(JsonNodeFactory.instance.objectNode().put("code", d.status().code)
                .put("error", d.getMessage()));
        FullHttpResponse r = response(HttpResponseStatus.valueOf(d.status().code), "application/json", body);
        if (d.status() == AccessDenied.Status.UNAUTHORIZED) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        return r;
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = authorization.substring(7).trim();
        return t.isEmpty() ? null : t;
    }

    private FullHttpResponse originError(String sid, StreamKey key, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        log.atWarn().addKeyValue("sid", sid).addKeyValue("key", key).log("API request not served: {}", cause.toString());
        if (cause instanceof NoRouteException nr) {
            return error(nr.retryable() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY,
                    nr.getMessage());
        }
        return error(HttpResponseStatus.BAD_GATEWAY, "origin unreachable: " + rootMessage(cause));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private void reply(ChannelHandlerContext c, boolean keepAlive, FullHttpResponse resp) {
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        inFlight = false;
        if (!c.channel().isActive()) {
            resp.release();
            return;
        }
        if (keepAlive) {
            c.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    c.read();
                } else {
                    c.close();
                }
            });
        } else {
            c.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof IdleStateEvent && !inFlight) {
            c.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        log.atDebug().addKeyValue("error", cause.toString()).log("API connection error");
        c.close();
    }
}

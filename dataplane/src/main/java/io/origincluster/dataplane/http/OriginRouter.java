package io.origincluster.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.http.hls.PlaylistRewriter;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.routing.ProxyResourceException;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Where a proxied request goes and what the origin receives. Live streams and playlists go to the stream's pinned
 * origin through {@code RoutingCore.connect} (which fails over when an origin refuses); a segment goes to the origin
 * its HLS token names, or nowhere. Shared by every connection; callbacks hop back to the client's event loop.
 */
final class OriginRouter {

    private record Connected(Route route, Channel channel) { }

    private final HttpStreamServices services;

    OriginRouter(HttpStreamServices services) {
        this.services = services;
    }

    /** Live streams and playlists: the stream's pinned origin, with RoutingCore's failover on connect failure. */
    void proxyByPin(HttpStreamHandler owner, ChannelHandlerContext ctx, StreamKey key, OriginExchange relay,
                    HttpRequest req, QueryStringDecoder qsd) {
        relay.metered(services.meters().open());
        relay.meter().stream(key, false);
        owner.exchangeStarted(relay);
        int aggregateBytes = relay instanceof PlaylistRelay ? services.settings().maxPlaylistBytes() : 0;
        EventLoop loop = ctx.channel().eventLoop();
        HttpMethod upstreamMethod = aggregateBytes > 0 ? HttpMethod.GET : req.method();
        boolean pooled = relay instanceof PlaylistRelay;
        if (pooled) {
            relay.reuseVia(services.connector());
        }
        services.meters().connect(services.routing(), key, Protocol.HTTP, route -> (pooled
                        ? services.connector().acquire(route.address(), loop, aggregateBytes)
                        : services.connector().connect(route.address(), loop, aggregateBytes))
                        .thenApply(ch -> new Connected(route, ch)))
                .whenComplete((c, err) -> onLoop(loop, () -> {
                    if (err != null) {
                        failRouting(owner, relay, key, err);
                    } else {
                        relay.start(c.route(), c.channel(), upstream(ctx, req, qsd, upstreamMethod, aggregateBytes > 0,
                                c.route().address()), services.routing(), services.touchEvery());
                    }
                }));
    }

    /**
     * A live HTTP-FLV or HTTP-TS GET: relayed unit by unit, so the session survives its origin (see
     * {@link LiveRelay}). Every later leg goes through the routing core like the first, avoiding the origins the
     * session moves off.
     */
    void proxyLive(HttpStreamHandler owner, ChannelHandlerContext ctx, StreamKey key, HttpRequest req,
                   QueryStringDecoder qsd, String sid, boolean flv) {
        EventLoop loop = ctx.channel().eventLoop();
        LiveRelay.Dialer dialer = avoid -> services.meters().connect(services.routing(), key, Protocol.HTTP, avoid,
                route -> services.connector().connect(route.address(), loop, 0).thenApply(ch ->
                        new LiveRelay.Dialed(route, ch, upstream(ctx, req, qsd, HttpMethod.GET, false,
                                route.address()))));
        LiveMedia media = flv ? new FlvMedia(ctx.alloc()) : new TsMedia(ctx.alloc());
        LiveRelay relay = new LiveRelay(owner, ctx, req, sid, key, media, dialer, services.routing().sessions(),
                services.hitless().playerHold());
        proxyByPin(owner, ctx, key, relay, req, qsd);
    }

    /** A request carrying an HLS token: a playlist goes by the token's stream key, a segment to its origin. */
    void serveTokened(HttpStreamHandler owner, ChannelHandlerContext ctx, HttpRequest req, QueryStringDecoder qsd,
                      String path, String ext, String token, String sid) {
        HlsToken.Claims claims;
        try {
            claims = services.tokens().verify(token);
        } catch (HlsToken.InvalidTokenException e) {
            owner.respondText(req, HttpResponseStatus.FORBIDDEN,
                    "invalid HLS token: " + e.getMessage() + "; reload the playlist");
            return;
        }
        if (!path.startsWith("/" + claims.key().app() + "/")) {
            owner.respondText(req, HttpResponseStatus.FORBIDDEN,
                    "HLS token of stream " + claims.key() + " does not cover " + HttpStreamHandler.abbreviate(path));
            return;
        }
        if (ext.equals("m3u8") || ext.equals("mpd")) {
            // A manifest only needs the stream key, and the pin gives the live origin (which may be a new one
            // after a failover), so an old but authentic token still works for the manifest itself.
            proxyByPin(owner, ctx, claims.key(), manifestRelay(ext, owner, ctx, req, sid), req, qsd);
            return;
        }
        if (claims.expired(services.clock().instant())) {
            owner.respondText(req, HttpResponseStatus.FORBIDDEN, "HLS token expired; reload the playlist");
            return;
        }
        StreamRelay relay = new StreamRelay(owner, ctx, req, sid, false);
        relay.metered(services.meters().open());
        relay.meter().stream(claims.key(), false);
        owner.exchangeStarted(relay);
        EventLoop loop = ctx.channel().eventLoop();
        services.routing().backend(claims.originId()).whenComplete((found, err) -> onLoop(loop, () -> {
            if (err != null) {
                relay.failure = SessionMetrics.Result.PROXY_ERROR;
                owner.exchangeFailed(relay, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "cluster state unavailable: " + unwrap(err).getMessage());
                return;
            }
            Optional<Backend> backend = found.filter(b -> b.isLive(services.clock().instant()));
            if (backend.isEmpty()) {
                relay.failure = SessionMetrics.Result.NO_ROUTE;
                owner.exchangeFailed(relay, HttpResponseStatus.NOT_FOUND, "origin " + claims.originId()
                        + " that holds the segments of " + claims.key() + " is gone; reload the playlist");
                return;
            }
            Optional<Endpoint> ep = backend.get().endpoint(Protocol.HTTP);
            if (ep.isEmpty()) {
                relay.failure = SessionMetrics.Result.NO_ROUTE;
                owner.exchangeFailed(relay, HttpResponseStatus.BAD_GATEWAY,
                        "origin " + claims.originId() + " has no http endpoint");
                return;
            }
            InetSocketAddress unresolved = ep.get().resolve(backend.get().ip());
            Route route = new Route(claims.key(), backend.get(), ep.get(), unresolved);
            relay.reuseVia(services.connector());
            services.connector().acquire(unresolved, loop, 0).whenComplete((ch, cerr) -> onLoop(loop, () -> {
                if (cerr != null) {
                    owner.exchangeFailed(relay, HttpResponseStatus.BAD_GATEWAY, "origin " + claims.originId()
                            + " of " + claims.key() + " is unreachable: " + unwrap(cerr).getMessage());
                } else {
                    relay.start(route, ch, upstream(ctx, req, qsd, req.method(), false, unresolved),
                            services.routing(), services.touchEvery());
                }
            }));
        }));
    }

    private static void failRouting(HttpStreamHandler owner, OriginExchange relay, StreamKey key, Throwable err) {
        Throwable cause = unwrap(err);
        relay.failure = SessionMetrics.classify(cause);
        if (cause instanceof NoRouteException nr) {
            owner.exchangeFailed(relay, nr.retryable() ? HttpResponseStatus.SERVICE_UNAVAILABLE
                    : HttpResponseStatus.BAD_GATEWAY, nr.getMessage());
        } else if (cause instanceof ProxyResourceException) {
            owner.exchangeFailed(relay, HttpResponseStatus.SERVICE_UNAVAILABLE, "proxy overloaded: " + cause.getMessage());
        } else if (cause instanceof IOException || cause instanceof ConnectTimeoutException) {
            owner.exchangeFailed(relay, HttpResponseStatus.BAD_GATEWAY,
                    "origin for " + key + " unreachable after failover: " + cause.getMessage());
        } else {
            owner.exchangeFailed(relay, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "cannot route " + key + ": " + cause.getMessage());
        }
    }

    /** The request the origin gets: same method, path and query (minus our token), end-to-end headers. */
    private static HttpRequest upstream(ChannelHandlerContext ctx, HttpRequest req, QueryStringDecoder qsd,
                                        HttpMethod method, boolean playlist, InetSocketAddress origin) {
        String query = withoutParam(qsd.rawQuery(), HlsToken.PARAM);
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method,
                qsd.rawPath() + (query.isEmpty() ? "" : "?" + query), Unpooled.EMPTY_BUFFER);
        HttpHeaders h = out.headers();
        HopByHop.copy(req.headers(), h);
        if (playlist) {
            h.remove(HttpHeaderNames.ACCEPT_ENCODING); // the rewriter needs the text itself
            h.remove(HttpHeaderNames.RANGE);
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            h.set(HttpHeaderNames.HOST, authority(origin.getHostString(), origin.getPort()));
        } else {
            h.set("X-Forwarded-Host", host);
        }
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            String prior = req.headers().get("X-Forwarded-For");
            String ip = remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
            h.set("X-Forwarded-For", prior == null ? ip : prior + ", " + ip);
        }
        h.set("X-Forwarded-Proto", "http");
        return out;
    }

    /** Signs the URIs of a playlist for the origin that served it. */
    PlaylistRelay playlistRelay(HttpStreamHandler owner, ChannelHandlerContext ctx, HttpRequest req, String sid) {
        return new PlaylistRelay(owner, ctx, req, sid, ex -> Manifests.hls(rewriter(ex.route, req)));
    }

    /** Signs the segment URLs of a DASH MPD for the origin that served it. */
    PlaylistRelay mpdRelay(HttpStreamHandler owner, ChannelHandlerContext ctx, HttpRequest req, String sid) {
        return new PlaylistRelay(owner, ctx, req, sid, ex -> Manifests.dash(rewriter(ex.route, req)));
    }

    /** The relay for a manifest named by its extension ({@code m3u8} or {@code mpd}). */
    PlaylistRelay manifestRelay(String ext, HttpStreamHandler owner, ChannelHandlerContext ctx, HttpRequest req,
                                String sid) {
        return ext.equals("mpd") ? mpdRelay(owner, ctx, req, sid) : playlistRelay(owner, ctx, req, sid);
    }

    private PlaylistRewriter rewriter(Route route, HttpRequest req) {
        Set<String> local = new HashSet<>();
        int port = route.address().getPort();
        local.add(authority(route.address().getHostString(), port));
        local.add(authority(route.backend().ip(), port));
        if (route.endpoint().host() != null) {
            local.add(authority(route.endpoint().host(), port));
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host != null && !host.isBlank()) {
            String h = host.trim().toLowerCase(Locale.ROOT);
            boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.indexOf(':') >= 0;
            local.add(hasPort ? h : h + ":80");
        }
        String token = services.tokens().sign(route.key(), route.backend().id(),
                services.clock().instant().plus(services.settings().hlsTokenTtl()));
        return new PlaylistRewriter(local, HlsToken.PARAM, token);
    }

    private static void onLoop(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String withoutParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(rawQuery.length());
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty() || pair.equals(name) || pair.startsWith(name + "=")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(pair);
        }
        return sb.toString();
    }

    static String authority(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return (h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port;
    }
}

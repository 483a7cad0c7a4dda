package io.origincluster.dataplane.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.origincluster.dataplane.Version;
import io.origincluster.dataplane.cluster.ClusterPoller;
import io.origincluster.dataplane.cluster.ClusterViews;
import io.origincluster.dataplane.config.SystemApiSettings;
import io.origincluster.dataplane.metrics.Metrics;
import io.origincluster.dataplane.routing.LiveSessions;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.web.BundledFiles;
import io.origincluster.state.Backend;
import io.origincluster.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system API's routes. Each call returns a stage completing with the reply; nothing here blocks, state store
 * calls complete on the store's threads and the channel handler writes the reply on the channel's event loop.
 *
 * <pre>
 * POST   /api/v1/srs/register     SRS heartbeat: register or refresh an origin (token)
 * DELETE /api/v1/srs/register     same body: the origin leaves at once (token)
 * DELETE /api/v1/origins/{id}     remove an origin by id (token)
 * DELETE /api/v1/streams/{vhost}/{app}/{stream}  forget the stream's pin; its next session is placed anew (token)
 * POST   /api/v1/origins/{id}/drain  no new streams; live sessions move off it (token)
 * DELETE /api/v1/origins/{id}/drain  takes new streams again (token)
 * POST   /api/v1/tokens           a stream token for publish or play, signed with PROXY_AUTH_SECRET (token)
 * GET    /api/v1/origins          origins with liveness, draining, lease expiry, endpoints, pinned streams
 * GET    /api/v1/streams          pinned streams: key to origin
 * GET    /api/v1/versions         signature and version
 * GET    /healthz                 the process is up
 * GET    /readyz                  listeners bound (200); the state store's health is in the body, never a 503
 * GET    /metrics                 Prometheus text
 * GET    /api/v1/cluster/streams  live streams of every origin (from the poller's last snapshot)
 * GET    /api/v1/cluster/summaries  each origin's summary with this proxy's view of it
 * GET    /api/v1/cluster/clients?start=N&amp;count=M  clients of every origin, paged
 * GET    /api/v1/proxy/streams    this proxy's sessions and bytes per stream (with PROXY_METRICS_PER_STREAM)
 * GET    /console/                the web console (static files from the jar; it calls the routes above)
 * </pre>
 */
final class SystemApi {

    private static final Logger log = LoggerFactory.getLogger(SystemApi.class);

    static final String REGISTER = "/api/v1/srs/register";
    static final String ORIGINS = "/api/v1/origins";
    static final String DRAIN = "/drain";
    static final String CLUSTER = "/api/v1/cluster";
    static final String STREAMS = "/api/v1/streams";
    static final String CONSOLE = "/console";
    /** Probes and the version stay open when {@code PROXY_SYSTEM_API_READ_TOKEN} protects the other reads. */
    static final java.util.Set<String> READ_OPEN = java.util.Set.of("/healthz", "/readyz", "/api/v1/versions");
    /** A probe must answer well within a kubelet's default 1 s..10 s probe timeouts. */
    static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(2);

    private final SystemApiSettings settings;
    private final StateStore store;
    private final Metrics metrics;
    private final BooleanSupplier ready;
    private final LiveSessions sessions;
    private final io.origincluster.dataplane.routing.RoutingCore routing;
    private final ClusterPoller cluster;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Clock clock = Clock.systemUTC();
    private final byte[] token;
    private final byte[] readToken;
    private final String pid = Long.toString(ProcessHandle.current().pid());
    /** The Netty transport in use (io_uring, epoll, nio), shown by /api/v1/versions. */
    private final String ioTransport;
    /** Origins this proxy saw register, to log joins once instead of every heartbeat; pruned as leases lapse. */
    private final ConcurrentHashMap<String, Instant> seen = new ConcurrentHashMap<>();
    private final BundledFiles console = BundledFiles.load("web/console");

    SystemApi(SystemApiSettings settings, StateStore store, Metrics metrics,
              io.origincluster.dataplane.routing.RoutingCore routing, ClusterPoller cluster, BooleanSupplier ready,
              String ioTransport) {
        this.ioTransport = ioTransport;
        this.routing = routing;
        this.sessions = routing.sessions();
        this.cluster = cluster;
        this.settings = settings;
        this.store = store;
        this.metrics = metrics;
        this.ready = ready;
        this.token = settings.token().getBytes(StandardCharsets.UTF_8);
        this.readToken = settings.readToken().getBytes(StandardCharsets.UTF_8);
    }

    ObjectMapper mapper() {
        return mapper;
    }

    Metrics metrics() {
        return metrics;
    }

    CompletionStage<FullHttpResponse> handle(FullHttpRequest req, String sid) {
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.equals(CONSOLE) || path.startsWith(CONSOLE + "/")) {
            String file = path;
            return get(req.method(), () -> done(consolePage(file)));
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        HttpMethod m = req.method();
        if (path.equals(REGISTER)) {
            if (m.equals(HttpMethod.POST)) {
                return register(req, sid);
            }
            if (m.equals(HttpMethod.DELETE)) {
                return deregisterByBody(req, sid);
            }
            return notAllowed("POST, DELETE");
        }
        if (path.equals(TokenMinting.PATH)) {
            if (!m.equals(HttpMethod.POST)) {
                return notAllowed("POST");
            }
            if (!authorized(req)) {
                return unauthorized("mint_token");
            }
            FullHttpResponse r = TokenMinting.mint(mapper, routing.admission().tokens(), token.length > 0, body(req),
                    clock);
            count("mint_token", r.status().code() == 200 ? "ok" : "invalid");
            return done(r);
        }
        if (path.startsWith(ORIGINS + "/") && path.endsWith(DRAIN)) {
            String id = QueryStringDecoder.decodeComponent(
                    path.substring(ORIGINS.length() + 1, path.length() - DRAIN.length()));
            if (m.equals(HttpMethod.POST)) {
                return drain(req, sid, id, true);
            }
            if (m.equals(HttpMethod.DELETE)) {
                return drain(req, sid, id, false);
            }
            return notAllowed("POST, DELETE");
        }
        if (path.startsWith(ORIGINS + "/")) {
            if (!m.equals(HttpMethod.DELETE)) {
                return notAllowed("DELETE");
            }
            String id = QueryStringDecoder.decodeComponent(path.substring(ORIGINS.length() + 1));
            return deregister(req, sid, id, "id");
        }
        if (path.startsWith(STREAMS + "/")) {
            if (!m.equals(HttpMethod.DELETE)) {
                return notAllowed("DELETE");
            }
            return unpin(req, sid, QueryStringDecoder.decodeComponent(path.substring(STREAMS.length() + 1)));
        }
        if (!READ_OPEN.contains(path) && !readAuthorized(req)) {
            return unauthorizedRead();
        }
        return switch (path) {
            case ORIGINS -> get(m, this::origins);
            case STREAMS -> get(m, this::streams);
            case "/api/v1/proxy/streams" -> get(m, () -> done(proxyStreams()));
            case "/api/v1/versions" -> get(m, this::versions);
            case "/healthz" -> get(m, () -> done(ok(Map.of("code", 0, "status", "up"))));
            case "/readyz" -> get(m, this::readiness);
            case "/metrics" -> get(m, this::prometheus);
            case CLUSTER + "/streams", CLUSTER + "/summaries", CLUSTER + "/clients" ->
                    get(m, () -> done(cluster(req)));
            default -> done(ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "no route for " + path));
        };
    }

    private CompletionStage<FullHttpResponse> register(FullHttpRequest req, String sid) {
        if (!authorized(req)) {
            return unauthorized("register");
        }
        RegisterRequest r;
        try {
            r = RegisterRequest.parse(mapper, body(req));
        } catch (RegisterRequest.InvalidRequestException e) {
            count("register", "invalid");
            log.atWarn().addKeyValue("sid", sid).addKeyValue("from", req.headers().get(HttpHeaderNames.USER_AGENT))
                    .log("register rejected: {}", e.getMessage());
            return done(ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        Backend backend = r.toBackend();
        String outside = RegisterAddresses.outside(backend, settings.registerAllowed());
        if (outside != null) {
            count("register", "forbidden");
            log.atWarn().addKeyValue("sid", sid).addKeyValue("backend", backend.id()).addKeyValue("address", outside)
                    .log("register refused: address outside PROXY_REGISTER_ALLOWED_CIDRS");
            return done(ApiResponses.error(mapper, HttpResponseStatus.FORBIDDEN, "address " + outside
                    + " is outside PROXY_REGISTER_ALLOWED_CIDRS (" + settings.registerAllowed() + ")"));
        }
        return store.register(backend, settings.registerTtl()).handle((stored, err) -> {
            if (err != null) {
                // the store is unreachable: the heartbeat is held in memory and written when the store returns,
                // and the origin takes new streams here meanwhile (no deregistration storm after the outage)
                count("register", "held");
                routing.storeUnreachable(err);
                routing.registrations().accepted(backend, settings.registerTtl());
                routing.knownBackend(backend);
                log.atWarn().addKeyValue("sid", sid).addKeyValue("backend", backend.id())
                        .log("state store unreachable, registration held in memory: {}", rootMessage(err));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("code", 0);
                body.put("pid", pid);
                body.put("held", true);
                return ok(body);
            }
            routing.registrations().accepted(stored, settings.registerTtl());
            count("register", "ok");
            Instant before = seen.put(stored.id(), stored.expiresAt() == null ? Instant.MAX : stored.expiresAt());
            Instant now = clock.instant();
            if (before == null || before.isBefore(now)) {
                log.atInfo().addKeyValue("sid", sid).addKeyValue("backend", stored.id())
                        .addKeyValue("ip", stored.ip()).addKeyValue("endpoints", stored.endpoints())
                        .addKeyValue("device", r.deviceId()).log("origin registered");
            }
            if (seen.size() > 64) {
                seen.values().removeIf(t -> t.isBefore(now));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", 0);
            body.put("pid", pid);
            return ok(body);
        });
    }

    private CompletionStage<FullHttpResponse> deregisterByBody(FullHttpRequest req, String sid) {
        if (!authorized(req)) {
            return unauthorized("deregister");
        }
        String id;
        try {
            id = RegisterRequest.parseBackendId(mapper, body(req));
        } catch (RegisterRequest.InvalidRequestException e) {
            count("deregister", "invalid");
            return done(ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        return deregister(req, sid, id, "body");
    }

    private CompletionStage<FullHttpResponse> deregister(FullHttpRequest req, String sid, String id, String by) {
        if (!authorized(req)) {
            return unauthorized("deregister");
        }
        return store.deregister(id).handle((removed, err) -> {
            if (err != null) {
                return storeFailed("deregister", sid, err);
            }
            seen.remove(id);
            routing.registrations().removed(id);
            if (!removed) {
                count("deregister", "unknown");
                return ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "no origin '" + id + "'");
            }
            count("deregister", "ok");
            log.atInfo().addKeyValue("sid", sid).addKeyValue("backend", id).addKeyValue("by", by)
                    .log("origin deregistered");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", 0);
            body.put("id", id);
            body.put("removed", true);
            return ok(body);
        });
    }

    private CompletionStage<FullHttpResponse> drain(FullHttpRequest req, String sid, String id, boolean on) {
        String operation = on ? "drain" : "undrain";
        if (!authorized(req)) {
            return unauthorized(operation);
        }
        if (id.isEmpty() || id.indexOf('/') >= 0) {
            return done(ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "no origin '" + id + "'"));
        }
        // every proxy (this one included) hears the store's draining event and moves its own sessions
        return store.setDraining(id, on).handle((known, err) -> {
            if (err != null) {
                return storeFailed(operation, sid, err);
            }
            if (!known) {
                count(operation, "unknown");
                return ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "no origin '" + id + "'");
            }
            count(operation, "ok");
            log.atInfo().addKeyValue("sid", sid).addKeyValue("backend", id).log(on ? "origin draining"
                    : "origin no longer draining");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", 0);
            body.put("id", id);
            body.put("draining", on);
            body.put("sessions", sessions.countsByBackend().getOrDefault(id, 0));
            return ok(body);
        });
    }

    /** An operator's way out of a pin that keeps sending new sessions where they should not go. */
    private CompletionStage<FullHttpResponse> unpin(FullHttpRequest req, String sid, String keyText) {
        if (!authorized(req)) {
            return unauthorized("unpin");
        }
        StreamKey key;
        try {
            int first = keyText.indexOf('/');
            int last = keyText.lastIndexOf('/');
            if (first <= 0 || last <= first) {
                throw new IllegalArgumentException("a stream key is vhost/app/stream");
            }
            key = StreamKey.of(keyText.substring(0, first), keyText.substring(first + 1, last),
                    keyText.substring(last + 1));
        } catch (IllegalArgumentException e) {
            count("unpin", "invalid");
            return done(ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST,
                    "bad stream key '" + keyText + "': " + e.getMessage()));
        }
        return store.pinned(key.toString()).thenCompose(pin -> {
            if (pin.isEmpty()) {
                return CompletableFuture.completedFuture((String) null);
            }
            String backend = pin.get().id();
            return routing.unpin(key, backend).thenApply(removed -> removed ? backend : null);
        }).handle((backend, err) -> {
            if (err != null) {
                return storeFailed("unpin", sid, err);
            }
            if (backend == null) {
                count("unpin", "unknown");
                return ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "stream " + key + " is not pinned");
            }
            count("unpin", "ok");
            log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", backend)
                    .log("stream unpinned by the API");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", 0);
            body.put("key", key.toString());
            body.put("unpinned", backend);
            return ok(body);
        });
    }

    private CompletionStage<FullHttpResponse> origins() {
        return store.liveBackends().thenCombine(store.pins(),
                (backends, pins) -> ok(ClusterView.origins(backends, pins, sessions.countsByBackend(),
                        clock.instant())));
    }

    private CompletionStage<FullHttpResponse> streams() {
        return store.pins().thenApply(pins -> ok(ClusterView.streams(pins)));
    }

    /** This proxy's own per-stream view; empty with {@code "enabled":false} unless per-stream meters are on. */
    private FullHttpResponse proxyStreams() {
        var streams = metrics.sessions().streams();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", 0);
        body.put("enabled", streams.enabled());
        body.put("at", clock.instant().toString());
        body.put("streams", streams.snapshot());
        return ok(body);
    }

    private FullHttpResponse consolePage(String path) {
        if (path.equals(CONSOLE)) {
            return ApiResponses.redirect(CONSOLE + "/");
        }
        BundledFiles.File f = console.get(path.substring(CONSOLE.length() + 1));
        if (f == null) {
            return ApiResponses.error(mapper, HttpResponseStatus.NOT_FOUND, "no console file at " + path);
        }
        return ApiResponses.page(f.contentType(), f.bytes());
    }

    /** Answers from the poller's last snapshot: never waits on an origin or the state store. */
    private FullHttpResponse cluster(FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        var snapshot = cluster.snapshot();
        if (snapshot.isEmpty()) {
            return ApiResponses.error(mapper, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the first cluster poll has not completed yet (PROXY_CLUSTER_POLL_INTERVAL "
                            + cluster.settings().pollInterval().toMillis() + "ms)");
        }
        Instant now = clock.instant();
        return switch (path.substring(CLUSTER.length())) {
            case "/streams" -> ok(ClusterViews.streams(snapshot.get(), now));
            case "/summaries" -> ok(ClusterViews.summaries(snapshot.get(),
                    metrics.sessions().sessionsByOrigin(sessions.countsByBackend()), now));
            default -> {
                QueryStringDecoder q = new QueryStringDecoder(req.uri());
                int start;
                int count;
                try {
                    start = intParam(q, "start", 0, 0, Integer.MAX_VALUE);
                    count = intParam(q, "count", ClusterViews.DEFAULT_PAGE, 1, ClusterViews.MAX_PAGE);
                } catch (IllegalArgumentException e) {
                    yield ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                }
                yield ok(ClusterViews.clients(snapshot.get(), start, count, now));
            }
        };
    }

    private static int intParam(QueryStringDecoder q, String name, int def, int min, int max) {
        var values = q.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return def;
        }
        String v = values.get(0).trim();
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw new IllegalArgumentException(name + ": " + i + " is outside " + min + ".." + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + (v.length() > 20 ? v.substring(0, 20) + "..." : v)
                    + "' is not an integer");
        }
    }

    private CompletionStage<FullHttpResponse> versions() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("major", Version.MAJOR);
        data.put("minor", Version.MINOR);
        data.put("revision", Version.REVISION);
        data.put("version", Version.VERSION);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", 0);
        body.put("signature", Version.SIGNATURE);
        body.put("version", Version.VERSION);
        body.put("pid", pid);
        body.put("ioTransport", ioTransport);
        body.put("data", data);
        return done(ok(body));
    }

    private CompletionStage<FullHttpResponse> readiness() {
        if (!ready.getAsBoolean()) {
            return done(ApiResponses.error(mapper, HttpResponseStatus.SERVICE_UNAVAILABLE, "listeners not bound"));
        }
        return store.liveBackends().toCompletableFuture()
                .orTimeout(READY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((backends, err) -> {
            // never 503 on the store alone: a Redis outage must not make Kubernetes take every proxy out (or
            // restart them) at once while they keep routing on what they know
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", 0);
            body.put("status", "ready");
            if (err != null) {
                String why = rootCause(err) instanceof java.util.concurrent.TimeoutException
                        ? "no answer within " + READY_TIMEOUT.toMillis() + "ms" : rootMessage(err);
                routing.storeUnreachable(err);
                body.put("store", "degraded");
                body.put("storeError", "state store not answering: " + why);
            } else {
                routing.storeReachable();
                body.put("store", routing.storeAvailable() ? "ok" : "recovering");
                body.put("origins", backends.size());
            }
            body.put("unsyncedPins", routing.unsyncedPins());
            body.put("heldRegistrations", routing.registrations().size());
            return ok(body);
        });
    }

    private CompletionStage<FullHttpResponse> prometheus() {
        return metrics.refreshState(store).handle((v, err) -> {
            if (err != null) {
                log.warn("metrics: state store read failed: {}", rootMessage(err));
            }
            return ApiResponses.text(HttpResponseStatus.OK, Metrics.PROMETHEUS_CONTENT_TYPE, metrics.scrape());
        });
    }

    private CompletionStage<FullHttpResponse> get(HttpMethod m,
                                                  java.util.function.Supplier<CompletionStage<FullHttpResponse>> s) {
        return m.equals(HttpMethod.GET) ? s.get() : notAllowed("GET");
    }

    private CompletionStage<FullHttpResponse> notAllowed(String allow) {
        FullHttpResponse r = ApiResponses.error(mapper, HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method not allowed; use " + allow);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return done(r);
    }

    private CompletionStage<FullHttpResponse> unauthorized(String operation) {
        count(operation, "unauthorized");
        FullHttpResponse r = ApiResponses.error(mapper, HttpResponseStatus.UNAUTHORIZED,
                "missing or wrong bearer token (PROXY_SYSTEM_API_TOKEN is set)");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"origin-cluster\"");
        return done(r);
    }

    private FullHttpResponse storeFailed(String operation, String sid, Throwable err) {
        count(operation, "error");
        String msg = rootMessage(err);
        log.atWarn().addKeyValue("sid", sid).log("{} failed in the state store: {}", operation, msg);
        return ApiResponses.error(mapper, HttpResponseStatus.SERVICE_UNAVAILABLE, "state store: " + msg);
    }

    /** Constant-time comparison so the token cannot be guessed byte by byte from response times. */
    private boolean authorized(FullHttpRequest req) {
        return token.length == 0 || bearerIs(req, token);
    }

    /** A read needs the read token (or the changing token) once {@code PROXY_SYSTEM_API_READ_TOKEN} is set. */
    private boolean readAuthorized(FullHttpRequest req) {
        return readToken.length == 0 || bearerIs(req, readToken) || token.length > 0 && bearerIs(req, token);
    }

    private static boolean bearerIs(FullHttpRequest req, byte[] expected) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expected, h.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private CompletionStage<FullHttpResponse> unauthorizedRead() {
        FullHttpResponse r = ApiResponses.error(mapper, HttpResponseStatus.UNAUTHORIZED,
                "missing or wrong bearer token (PROXY_SYSTEM_API_READ_TOKEN is set)");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"origin-cluster\"");
        return done(r);
    }

    void count(String operation, String result) {
        Counter c = metrics.registerRequests(operation, result);
        c.increment();
    }

    private FullHttpResponse ok(Object body) {
        return ApiResponses.json(mapper, HttpResponseStatus.OK, body);
    }

    private static byte[] body(FullHttpRequest req) {
        return ByteBufUtil.getBytes(req.content());
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    static String rootMessage(Throwable t) {
        t = rootCause(t);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t;
    }
}

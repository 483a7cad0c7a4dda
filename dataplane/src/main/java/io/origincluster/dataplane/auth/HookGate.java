package io.origincluster.dataplane.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PROXY_AUTH=http}: asks an HTTP hook, as SRS's {@code on_publish}/{@code on_play} do. The proxy POSTs
 * {@code {action, protocol, vhost, app, stream, param, ip}}; a 2xx allows, any other status refuses (403), and a
 * hook that fails or does not answer within the timeout refuses too (503): an unreachable hook must not open
 * every stream. Answers (allow and refuse, not failures) are cached for {@code cacheTtl} in a map of at most
 * {@code cacheSize} entries, oldest dropped first, so a player reloading an HLS playlist does not call the hook
 * each time. The HTTP client runs on its own threads; nothing here blocks the caller.
 */
public final class HookGate implements AccessGate {

    private static final Logger log = LoggerFactory.getLogger(HookGate.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Answer(boolean allowed, int status, long expiresNanos) { }

    private final URI url;
    private final Duration timeout;
    private final long cacheTtlNanos;
    private final int cacheSize;
    private final HttpClient client;
    private final Map<String, Answer> cache;

    public HookGate(URI url, Duration timeout, Duration cacheTtl, int cacheSize) {
        this.url = url;
        this.timeout = timeout;
        this.cacheTtlNanos = cacheTtl.toNanos();
        this.cacheSize = cacheSize;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
                return size() > HookGate.this.cacheSize;
            }
        };
    }

    @Override
    public CompletionStage<Void> check(AccessRequest r) {
        String cacheKey = r.action().wireName() + '\n' + r.protocol() + '\n' + r.key() + '\n' + r.param() + '\n'
                + (r.bearer() == null ? "" : r.bearer()) + '\n' + r.ip();
        Answer cached = cached(cacheKey);
        if (cached != null) {
            return verdict(cached, r);
        }
        HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(r).toString())).build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).handle((resp, err) -> {
            if (err != null) {
                log.atWarn().addKeyValue("hook", url).addKeyValue("key", r.key())
                        .addKeyValue("action", r.action().wireName()).addKeyValue("ip", r.ip())
                        .log("auth hook failed, refusing: {}", err.toString());
                throw new AccessDenied(AccessDenied.Status.UNAVAILABLE, "auth hook unavailable");
            }
            int status = resp.statusCode();
            Answer a = new Answer(status / 100 == 2, status, System.nanoTime() + cacheTtlNanos);
            remember(cacheKey, a);
            log.atInfo().addKeyValue("hook", url).addKeyValue("key", r.key()).addKeyValue("protocol", r.protocol())
                    .addKeyValue("action", r.action().wireName()).addKeyValue("ip", r.ip()).addKeyValue("status", status)
                    .log(a.allowed() ? "auth hook allowed" : "auth hook refused");
            return a;
        }).thenCompose(a -> verdict(a, r));
    }

    private static CompletionStage<Void> verdict(Answer a, AccessRequest r) {
        return a.allowed() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new AccessDenied(AccessDenied.Status.FORBIDDEN,
                        "auth hook answered " + a.status() + " for " + r.action().wireName() + " " + r.key()));
    }

    static ObjectNode body(AccessRequest r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("action", r.action().wireName());
        o.put("protocol", r.protocol());
        o.put("vhost", r.key().vhost());
        o.put("app", r.key().app());
        o.put("stream", r.key().stream());
        // a WHIP/WHEP bearer token is shown to the hook as the query token it stands for
        String param = r.bearer() == null || r.bearer().isEmpty() ? r.param()
                : AccessRequest.joinQueries(r.param(), AccessRequest.TOKEN_PARAM + "=" + r.bearer());
        o.put("param", param.isEmpty() ? "" : "?" + param);
        o.put("ip", r.ip());
        return o;
    }

    private Answer cached(String k) {
        if (cacheTtlNanos <= 0) {
            return null;
        }
        synchronized (cache) {
            Answer a = cache.get(k);
            if (a != null && a.expiresNanos() - System.nanoTime() <= 0) {
                cache.remove(k);
                return null;
            }
            return a;
        }
    }

    private void remember(String k, Answer a) {
        if (cacheTtlNanos > 0) {
            synchronized (cache) {
                cache.put(k, a);
            }
        }
    }

    int cachedEntries() {
        synchronized (cache) {
            return cache.size();
        }
    }

}

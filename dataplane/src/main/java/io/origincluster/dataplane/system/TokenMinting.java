package io.origincluster.dataplane.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.StreamTokens;
import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.Env;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/v1/tokens} {@code {"stream":"live/cam1","action":"publish","ttl":"1h"}}: a stream token signed
 * with {@code PROXY_AUTH_SECRET}, answered {@code {"code":0,"token":"...","expires":"..."}}. Minting is a changing
 * call: it needs {@code PROXY_SYSTEM_API_TOKEN}, and is refused (403) while that is unset, since an open minting
 * endpoint would hand out every stream.
 */
final class TokenMinting {

    static final String PATH = "/api/v1/tokens";
    static final Duration MAX_TTL = Duration.ofDays(366);

    private TokenMinting() {
    }

    static FullHttpResponse mint(ObjectMapper mapper, Optional<StreamTokens> tokens, boolean apiTokenSet,
                                 byte[] body, Clock clock) {
        if (!apiTokenSet) {
            return ApiResponses.error(mapper, HttpResponseStatus.FORBIDDEN,
                    "minting tokens needs PROXY_SYSTEM_API_TOKEN to be set");
        }
        if (tokens.isEmpty()) {
            return ApiResponses.error(mapper, HttpResponseStatus.CONFLICT, "PROXY_AUTH_SECRET is not set");
        }
        JsonNode req;
        try {
            req = mapper.readTree(body);
        } catch (IOException e) {
            return ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, "malformed JSON");
        }
        if (req == null || !req.isObject()) {
            return ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, "body must be a JSON object");
        }
        try {
            String stream = text(req, "stream", null);
            Action action = Action.parse(text(req, "action", null));
            Duration ttl = ttl(text(req, "ttl", "1h"));
            var now = clock.instant();
            String token = tokens.get().mint(action, stream, ttl, now);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("code", 0);
            out.put("token", token);
            out.put("stream", stream);
            out.put("action", action.wireName());
            out.put("expires", java.time.Instant.ofEpochSecond(now.plus(ttl).getEpochSecond()).toString());
            return ApiResponses.json(mapper, HttpResponseStatus.OK, out);
        } catch (IllegalArgumentException e) {
            return ApiResponses.error(mapper, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
    }

    /** A Go-style duration ({@code 1h}, {@code 30m}, {@code 90s}) between 1s and {@link #MAX_TTL}. */
    static Duration ttl(String v) {
        Duration d;
        try {
            d = new Env(Map.of("ttl", v)).duration("ttl", "1h");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("ttl: '" + v + "' is not a duration like 1h, 30m or 90s");
        }
        if (d.toSeconds() < 1 || d.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl: must be between 1s and " + MAX_TTL.toDays() + " days");
        }
        return d;
    }

    private static String text(JsonNode req, String field, String def) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            if (def == null) {
                throw new IllegalArgumentException(field + ": required");
            }
            return def;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(field + ": must be a string");
        }
        return n.asText();
    }
}

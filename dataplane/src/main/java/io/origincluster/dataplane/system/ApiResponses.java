package io.origincluster.dataplane.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.origincluster.dataplane.Version;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the system API's replies. Every reply carries {@code Server: OriginCluster/<version>} and a body; errors
 * are one JSON object {@code {"code":<http status>,"error":"..."}} (the Go proxy sent a text error followed by a
 * success JSON, which clients could not parse).
 */
final class ApiResponses {

    static final String SERVER = Version.SIGNATURE + "/" + Version.VERSION;
    static final String JSON = "application/json";

    private ApiResponses() {
    }

    static FullHttpResponse json(ObjectMapper mapper, HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise reply", e);
        }
        return bytes(status, JSON, bytes);
    }

    static FullHttpResponse error(ObjectMapper mapper, HttpResponseStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status.code());
        body.put("error", message);
        return json(mapper, status, body);
    }

    static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        return bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A console page or script. The console holds the API token, so it may not be framed by another site and runs
     * only its own scripts.
     */
    static FullHttpResponse page(String contentType, byte[] body) {
        FullHttpResponse r = bytes(HttpResponseStatus.OK, contentType, body);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
                .set("X-Content-Type-Options", "nosniff");
        return r;
    }

    static FullHttpResponse redirect(String location) {
        FullHttpResponse r = text(HttpResponseStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8", "see " + location);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return r;
    }
}

package io.origincluster.dataplane.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP/1.1 client for the system API in tests; every call is bounded by a short timeout. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String base;
    private String token;

    ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    ApiClient withToken(String value) {
        return new ApiClient(this, value);
    }

    private ApiClient(ApiClient other, String token) {
        this.base = other.base;
        this.token = token;
    }

    HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    HttpResponse<String> register(String body) {
        return send("POST", "/api/v1/srs/register", body);
    }

    /** The origins list as JSON, asserting a 200. */
    JsonNode origins() {
        return json(get("/api/v1/origins")).get("origins");
    }

    JsonNode origin(String id) {
        for (JsonNode o : origins()) {
            if (o.get("id").asText().equals(id)) {
                return o;
            }
        }
        return null;
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }
}

package io.origincluster.dataplane.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GETs JSON from origins' HTTP APIs with the JDK's asynchronous HTTP client on two threads of its own (never a
 * Netty event loop). Each call is bounded: {@code timeout} for the whole exchange, body included, and
 * {@link #MAX_BODY} bytes (a larger body is cut off and the call fails saying so, nothing unbounded is buffered).
 */
final class OriginApiClient implements AutoCloseable {

    /**
     * SRS's replies for a page of 100 streams or clients are under 100 KiB; anything near this is not an SRS reply.
     * With four requests per origin and {@code PROXY_CLUSTER_POLL_CONCURRENCY} origins at once, this bounds what a
     * poll buffers.
     */
    static final int MAX_BODY = 1024 * 1024;

    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "cluster-poll");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Duration timeout;

    OriginApiClient(ObjectMapper mapper, Duration timeout) {
        this.mapper = mapper;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).executor(executor).build();
    }

    /** The parsed JSON of {@code GET uri}; fails with a message fit for the cluster API's {@code errors}. */
    CompletionStage<JsonNode> getJson(URI uri) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(req, info -> new Limited(MAX_BODY));
        return sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((r, err) -> {
            if (err != null) {
                sent.cancel(true);
                throw new CompletionException(new BadOriginReply(describe(uri, err)));
            }
            if (r.statusCode() != 200) {
                throw new CompletionException(new BadOriginReply(uri.getPath() + ": HTTP " + r.statusCode()));
            }
            try {
                return mapper.readTree(r.body());
            } catch (JsonProcessingException e) {
                throw new CompletionException(new BadOriginReply(uri.getPath() + ": malformed JSON: "
                        + e.getOriginalMessage(), e));
            } catch (java.io.IOException e) {
                throw new CompletionException(new BadOriginReply(uri.getPath() + ": unreadable body: " + e, e));
            }
        });
    }

    private String describe(URI uri, Throwable err) {
        Throwable t = err;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
            return uri.getPath() + ": no answer within " + timeout.toMillis() + "ms";
        }
        if (t instanceof java.net.ConnectException) {
            return uri.getPath() + ": connection refused";
        }
        if (t instanceof BodyTooLarge) {
            return uri.getPath() + ": " + t.getMessage();
        }
        String m = t.getMessage();
        return uri.getPath() + ": " + (m == null ? t.getClass().getSimpleName() : m);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    static final class BodyTooLarge extends java.io.IOException {
        BodyTooLarge(int max) {
            super("reply body over " + max + " bytes");
        }
    }

    /** Collects a body up to {@code max} bytes; past it, cancels the stream and fails. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Limited(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new BodyTooLarge(max));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}

package io.origincluster.dataplane.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An honest HTTP-FLV / HTTP-TS origin for tests (nginx-rtmp cannot serve FLV over HTTP): the JDK's HTTP server
 * sends the real bytes of a generated clip at about real-time speed, as a live origin would, with the content type
 * SRS uses, and records what each request looked like. {@code unpaced} mode sends as fast as the socket takes
 * (looping the clip), to prove the proxy's backpressure.
 */
final class MediaHttpOrigin implements AutoCloseable {

    record SeenRequest(String method, String uri, Map<String, List<String>> headers) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final byte[] flv;
    private final byte[] ts;
    private final boolean unpaced;
    final ConcurrentLinkedQueue<SeenRequest> requests = new ConcurrentLinkedQueue<>();
    final AtomicInteger openResponses = new AtomicInteger();
    final AtomicInteger peerClosed = new AtomicInteger();
    final AtomicLong bytesSent = new AtomicLong();

    private MediaHttpOrigin(Path flv, Path ts, boolean unpaced) throws IOException {
        this.flv = Files.readAllBytes(flv);
        this.ts = Files.readAllBytes(ts);
        this.unpaced = unpaced;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    static MediaHttpOrigin start(Path flv, Path ts, boolean unpaced) {
        try {
            return new MediaHttpOrigin(flv, ts, unpaced);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.add(new SeenRequest(ex.getRequestMethod(), ex.getRequestURI().toString(),
                Map.copyOf(ex.getRequestHeaders())));
        String path = ex.getRequestURI().getPath().toLowerCase(Locale.ROOT);
        byte[] body;
        String type;
        if (path.endsWith(".flv")) {
            body = flv;
            type = "video/x-flv";
        } else if (path.endsWith(".ts")) {
            body = ts;
            type = "video/mp2t";
        } else {
            byte[] msg = "no such stream\n".getBytes();
            ex.sendResponseHeaders(404, msg.length);
            ex.getResponseBody().write(msg);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Origin-Stream", path);
        ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : 0);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.close();
            return;
        }
        openResponses.incrementAndGet();
        try (OutputStream out = ex.getResponseBody()) {
            if (unpaced) {
                while (true) {
                    out.write(body);
                    bytesSent.addAndGet(body.length);
                }
            }
            sendPaced(out, body);
        } catch (IOException e) {
            peerClosed.incrementAndGet();
        } finally {
            openResponses.decrementAndGet();
            ex.close();
        }
    }

    /** About one second of media up front (players start at once), then the rest over ten seconds. */
    private void sendPaced(OutputStream out, byte[] body) throws IOException {
        int first = Math.min(body.length, body.length / 10);
        out.write(body, 0, first);
        out.flush();
        bytesSent.addAndGet(first);
        int tick = Math.max(1, body.length / 200);
        for (int off = first; off < body.length; off += tick) {
            int n = Math.min(tick, body.length - off);
            out.write(body, off, n);
            out.flush();
            bytesSent.addAndGet(n);
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    SeenRequest lastRequest() {
        SeenRequest last = null;
        for (SeenRequest r : requests) {
            last = r;
        }
        return last;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

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
 * (looping the clip), to prove the proxy's backpressure. {@link #startLive} loops the FLV clip for as long as the
 * client reads, paced by its timestamps (one second ahead, as a GOP cache would), timestamps continuing across
 * loops: a live stream that never ends by itself. Looped FLV is one file: one header, tags whose timestamps
 * continue. {@link #kill} is the origin process dying: every connection closes at once and the port refuses.
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
    private final boolean live;
    private final FlvClip clip;
    private final byte[] loopTemplate;
    private final int[] tagOffsets;
    private volatile boolean killed;
    /** While set, every stream is 404, as an origin answers before its publisher has arrived. */
    volatile boolean notFound;
    final ConcurrentLinkedQueue<SeenRequest> requests = new ConcurrentLinkedQueue<>();
    final AtomicInteger openResponses = new AtomicInteger();
    final AtomicInteger peerClosed = new AtomicInteger();
    final AtomicLong bytesSent = new AtomicLong();

    private MediaHttpOrigin(Path flv, Path ts, boolean unpaced, boolean live) throws IOException {
        this.flv = Files.readAllBytes(flv);
        this.ts = Files.readAllBytes(ts);
        this.unpaced = unpaced;
        this.live = live;
        this.clip = FlvClip.load(flv);
        this.loopTemplate = clip.loop(0);
        this.tagOffsets = new int[clip.tags.size()];
        int off = 0;
        for (int i = 0; i < tagOffsets.length; i++) {
            tagOffsets[i] = off;
            off += clip.tags.get(i).bytes().length;
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    static MediaHttpOrigin start(Path flv, Path ts, boolean unpaced) {
        try {
            return new MediaHttpOrigin(flv, ts, unpaced, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An origin whose FLV streams loop with continuous timestamps, paced in real time, until the client leaves. */
    static MediaHttpOrigin startLive(Path flv, Path ts) {
        try {
            return new MediaHttpOrigin(flv, ts, false, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live FLV responses being sent right now. */
    int openResponses() {
        return openResponses.get();
    }

    /** Requests seen for paths starting with {@code prefix}. */
    long requestsFor(String prefix) {
        return requests.stream().filter(r -> r.uri().startsWith(prefix)).count();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.add(new SeenRequest(ex.getRequestMethod(), ex.getRequestURI().toString(),
                Map.copyOf(ex.getRequestHeaders())));
        String path = ex.getRequestURI().getPath().toLowerCase(Locale.ROOT);
        byte[] body = null;
        String type = null;
        if (path.endsWith(".flv")) {
            body = flv;
            type = "video/x-flv";
        } else if (path.endsWith(".ts")) {
            body = ts;
            type = "video/mp2t";
        }
        if (body == null || notFound) {
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
            boolean isFlv = body == flv;
            if (unpaced && isFlv) {
                sendLoopedFlv(out, false);
            } else if (unpaced) {
                while (true) {
                    out.write(body);
                    bytesSent.addAndGet(body.length);
                }
            } else if (live && isFlv) {
                sendLoopedFlv(out, true);
            } else {
                sendPaced(out, body);
            }
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

    /**
     * The FLV clip over and over as one stream: header once, then the tags of each loop with their timestamps
     * moved on by the clip's duration. {@code paced}: each tag is sent when its timestamp is at most one second
     * ahead of the time since the request; otherwise as fast as the socket takes.
     */
    private void sendLoopedFlv(OutputStream out, boolean paced) throws IOException {
        out.write(clip.header);
        bytesSent.addAndGet(clip.header.length);
        long t0 = System.nanoTime();
        byte[] body = loopTemplate.clone();
        for (int n = 0; !killed; n++) {
            long shift = n * clip.loopMillis;
            for (int i = 0; i < tagOffsets.length; i++) {
                long ts = clip.tags.get(i).timestamp() + shift;
                int at = tagOffsets[i];
                body[at + 4] = (byte) (ts >> 16);
                body[at + 5] = (byte) (ts >> 8);
                body[at + 6] = (byte) ts;
                body[at + 7] = (byte) (ts >> 24);
            }
            if (!paced) {
                out.write(body);
                bytesSent.addAndGet(body.length);
                continue;
            }
            int from = 0;
            for (int i = 0; i < tagOffsets.length && !killed; i++) {
                long ts = clip.tags.get(i).timestamp() + shift;
                long aheadMs = ts - (System.nanoTime() - t0) / 1_000_000 - 1000;
                if (aheadMs > 0) {
                    int to = tagOffsets[i];
                    out.write(body, from, to - from);
                    out.flush();
                    bytesSent.addAndGet(to - from);
                    from = to;
                    try {
                        TimeUnit.MILLISECONDS.sleep(Math.max(aheadMs, 10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
            }
            out.write(body, from, body.length - from);
            out.flush();
            bytesSent.addAndGet(body.length - from);
        }
        throw new IOException("killed");
    }

    /** The origin dies: no new connection is accepted and every open one closes at once. */
    void kill() {
        // sockets first: a handler that saw 'killed' before its socket closed would end its chunked body cleanly
        // (the last chunk), and the proxy would take that for the stream's end rather than the origin's death
        server.stop(0);
        killed = true;
        pool.shutdownNow();
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

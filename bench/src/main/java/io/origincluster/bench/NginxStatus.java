package io.origincluster.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * nginx's {@code stub_status} counters: connections accepted and requests served since start. Each read is one
 * connection and one request of its own ({@code Connection: close}), so a delta between two reads counts one
 * extra of each: {@link #minus} takes it off.
 */
record NginxStatus(long active, long accepts, long handled, long requests) {

    /**
     * Parses the body:
     * <pre>
     * Active connections: 3
     * server accepts handled requests
     *  10 10 20
     * Reading: 0 Writing: 1 Waiting: 2
     * </pre>
     */
    static NginxStatus parse(String body) {
        String[] lines = body.strip().split("\r?\n");
        if (lines.length < 3 || !lines[0].startsWith("Active connections:")) {
            throw new IllegalArgumentException("not a stub_status body: " + body);
        }
        long active = Long.parseLong(lines[0].substring("Active connections:".length()).strip());
        String[] n = lines[2].strip().split("\\s+");
        return new NginxStatus(active, Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2]));
    }

    /** Connections and requests between {@code earlier} and this read, without this read's own. */
    NginxStatus minus(NginxStatus earlier) {
        return new NginxStatus(active, accepts - earlier.accepts - 1, handled - earlier.handled - 1,
                requests - earlier.requests - 1);
    }

    /** One GET of {@code /stub_status} on a connection of its own. */
    static NginxStatus read(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write(("GET /stub_status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200") || body < 0) {
                throw new IllegalStateException("stub_status answered: " + response);
            }
            return parse(response.substring(body + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

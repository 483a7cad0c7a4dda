package io.origincluster.dataplane.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A byte-level HTTP client for tests that need to send what real clients would not (oversized or bad requests). */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body, boolean closed) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} as is and reads one response (body up to Content-Length, or until close). */
    static Response exchange(int port, String request) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response get(int port, String target) {
        return exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n");
    }

    record Head(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Reads a status line and headers, leaving the body in the stream. */
    static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response head: " + head);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(status, headers);
    }

    static Response read(InputStream in) throws IOException {
        Head h = readHead(in);
        Map<String, String> headers = h.headers();
        int status = h.status();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean closed = false;
        String len = headers.get("content-length");
        if (len != null) {
            byte[] buf = in.readNBytes(Integer.parseInt(len));
            body.write(buf);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            throw new IOException("chunked bodies are not read by this helper");
        } else {
            try {
                body.write(in.readAllBytes());
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            }
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), closed);
    }

    /** True when the server closed the connection (read returns end of stream within the socket timeout). */
    static boolean closedBy(Socket s) throws IOException {
        try {
            while (true) {
                int b = s.getInputStream().read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }
}

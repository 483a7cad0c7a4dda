package io.origincluster.dataplane.rtsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking RTSP client for tests that look at exact bytes: sends what it is given, reads whole responses. */
final class RawRtsp implements AutoCloseable {

    record Response(String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }

        int status() {
            return Integer.parseInt(head.split(" ", 3)[1]);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawRtsp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends FIN but keeps reading: a half-open connection. */
    void halfClose() throws IOException {
        socket.shutdownOutput();
    }

    InputStream input() {
        return in;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Response request(String method, String uri, int cseq, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder(method + " " + uri + " RTSP/1.0\r\nCSeq: " + cseq + "\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        send(sb.append("\r\n").toString());
        return read();
    }

    /** The next response, skipping interleaved frames. */
    Response read() throws IOException {
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            if (b == '$') {
                in.read();
                int len = (in.read() << 8) | in.read();
                in.readNBytes(len);
                continue;
            }
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write(b);
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed in a head");
                }
                head.write(c);
            }
            Response r = new Response(head.toString(StandardCharsets.ISO_8859_1), "");
            String cl = r.header("Content-Length");
            String body = cl == null ? "" : new String(in.readNBytes(Integer.parseInt(cl)), StandardCharsets.ISO_8859_1);
            return new Response(r.head(), body);
        }
    }

    /** True once the peer closed the connection within {@code millis} (reading and dropping anything it sends). */
    boolean closedWithin(long millis) throws IOException {
        long end = System.currentTimeMillis() + millis;
        byte[] buf = new byte[8192];
        while (System.currentTimeMillis() < end) {
            socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

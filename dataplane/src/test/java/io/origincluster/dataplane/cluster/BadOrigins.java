package io.origincluster.dataplane.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Origins whose API misbehaves, for the poller's error paths. */
final class BadOrigins {

    private BadOrigins() {
    }

    /** Accepts connections and never answers (nor closes): every request times out. */
    static final class Silent implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Silent() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-origin");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** Answers every path with 200 and {@code body}. */
    static final class Fixed implements AutoCloseable {
        private final HttpServer http;

        Fixed(String contentType, byte[] body) throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            http.createContext("/", ex -> {
                ex.getResponseHeaders().set("Content-Type", contentType);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                } catch (IOException e) {
                    // the client gave up reading (a body over its limit)
                }
            });
            http.start();
        }

        static Fixed garbage() throws IOException {
            return new Fixed("text/html", "<html><body>502 Bad Gateway</body></html> {not json"
                    .getBytes(StandardCharsets.UTF_8));
        }

        int port() {
            return http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}

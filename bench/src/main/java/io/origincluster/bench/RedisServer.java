package io.origincluster.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A real redis-server on a loopback port (no persistence), and its INFO commandstats call counters. */
public final class RedisServer implements AutoCloseable {

    private final Child child;
    private final int port;

    private RedisServer(Child child, int port) {
        this.child = child;
        this.port = port;
    }

    public static RedisServer start(Path workDir) {
        int port = Child.freeTcp();
        Child c = Child.start("redis-server", List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir.toString()), Map.of(), workDir,
                workDir.resolve("logs"));
        c.awaitTcp(port, 10);
        return new RedisServer(c, port);
    }

    public int port() {
        return port;
    }

    /** calls per command (cmdstat_get -> get), from INFO commandstats. */
    public Map<String, Long> commandCalls() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            return parseCommandStats(readBulk(new BufferedInputStream(s.getInputStream())));
        } catch (IOException e) {
            throw new UncheckedIOException("redis INFO failed", e);
        }
    }

    static Map<String, Long> parseCommandStats(String info) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring(8, line.indexOf(':'));
            int c = line.indexOf("calls=");
            int end = line.indexOf(',', c);
            out.put(name, Long.parseLong(line.substring(c + 6, end < 0 ? line.length() : end)));
        }
        return out;
    }

    private static String readBulk(InputStream in) throws IOException {
        StringBuilder header = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("redis closed");
            }
            header.append((char) b);
        }
        if (header.charAt(0) != '$') {
            throw new IOException("unexpected redis reply " + header);
        }
        int len = Integer.parseInt(header.substring(1).trim());
        byte[] body = in.readNBytes(len);
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        child.close();
    }
}

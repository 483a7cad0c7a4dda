package io.origincluster.dataplane.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SRS 7 origin's HTTP API in test code, built from the replies recorded from a real SRS 7.0.18
 * ({@code /work/shared/reference/srs-http-api.md}): the same envelopes ({@code code}, {@code server},
 * {@code service}, {@code pid}), the same field names and nesting, vhosts by id, and SRS's paging of streams and
 * clients ({@code start}, {@code count} at least 10, 10 by default). Streams and their clients are set by the test.
 */
final class SrsApiOrigin implements AutoCloseable {

    record Stream(String name, String app, boolean publishing, int players, int recvKbps, int sendKbps) { }

    static final String VHOST_ID = "vid-j5q959s";

    final String server;
    final String service;
    final String pid;
    private final HttpServer http;
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    SrsApiOrigin(String server, String service, String pid) throws IOException {
        this.server = server;
        this.service = service;
        this.pid = pid;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", this::handle);
        http.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    /** The proxy's id of this origin: {@code server-service-pid}. */
    String id() {
        return server + "-" + service + "-" + pid;
    }

    /** The heartbeat body SRS would post to the proxy, with its API endpoint. */
    String registerBody(int rtmpPort) {
        return "{\"device_id\":\"" + server + "\",\"ip\":\"127.0.0.1\",\"server\":\"" + server + "\",\"service\":\""
                + service + "\",\"pid\":\"" + pid + "\",\"rtmp\":[\"127.0.0.1:" + rtmpPort + "\"],\"http\":[\"127.0.0.1:"
                + rtmpPort + "\"],\"api\":[\"127.0.0.1:" + port() + "\"]}";
    }

    void add(Stream s) {
        streams.add(s);
    }

    /** Replaces the {@code i}th stream (a bitrate that changes over time, say). */
    void replace(int i, Stream s) {
        streams.set(i, s);
    }

    private void handle(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        requests.add(uri.toString());
        Map<String, String> q = query(uri.getRawQuery());
        String body = switch (uri.getPath()) {
            case "/api/v1/versions" -> envelope("\"data\": {\"major\": 7, \"minor\": 0, \"revision\": 18, "
                    + "\"version\": \"7.0.18\"}");
            case "/api/v1/summaries" -> envelope(summaries());
            case "/api/v1/vhosts/" -> envelope("\"vhosts\": [{\"id\": \"" + VHOST_ID + "\", \"name\": "
                    + "\"__defaultVhost__\", \"enabled\": true, \"clients\": " + clientCount() + ", \"streams\": "
                    + streams.size() + ", \"send_bytes\": 789091, \"recv_bytes\": 1309147, \"kbps\": {\"recv_30s\": 0, "
                    + "\"send_30s\": 0}, \"hls\": {\"enabled\": true, \"fragment\": 2.0}}]");
            case "/api/v1/streams/" -> envelope("\"streams\": [" + String.join(",", page(streamObjects(), q)) + "]");
            case "/api/v1/clients/" -> envelope("\"clients\": [" + String.join(",", page(clientObjects(), q)) + "]");
            default -> null;
        };
        byte[] bytes = (body == null ? "{\"code\": 1014}" : body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Server", "SRS/7.0.18(Hang)");
        ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String envelope(String rest) {
        return "{\n    \"code\": 0,\n    \"server\": \"" + server + "\",\n    \"service\": \"" + service
                + "\",\n    \"pid\": \"" + pid + "\",\n    " + rest + "\n}";
    }

    private int clientCount() {
        return streams.stream().mapToInt(s -> s.players() + (s.publishing() ? 1 : 0)).sum();
    }

    private String summaries() {
        return "\"data\": {\"ok\": true, \"now_ms\": 1796189011320, \"self\": {\"version\": \"7.0.18\", \"pid\": " + pid
                + ", \"ppid\": 22269, \"argv\": \"./objs/srs -c conf/origin.conf\", \"cwd\": \"/usr/local/srs\", "
                + "\"mem_kbyte\": 28224, \"mem_percent\": 0.0, \"cpu_percent\": 0.01, \"srs_uptime\": 14}, "
                + "\"system\": {\"cpu_percent\": 0.03, \"disk_read_KBps\": 0, \"disk_write_KBps\": 3, "
                + "\"disk_busy_percent\": 0.0, \"mem_ram_kbyte\": 24683548, \"mem_ram_percent\": 0.01, "
                + "\"mem_swap_kbyte\": 0, \"mem_swap_percent\": 0.0, \"cpus\": 2, \"cpus_online\": 2, "
                + "\"uptime\": 2914.42, \"ilde_time\": 3190.18, \"load_1m\": 4.06, \"load_5m\": 2.86, "
                + "\"load_15m\": 2.24, \"net_sample_time\": 1796189005841, \"net_recv_bytes\": 0, "
                + "\"net_send_bytes\": 0, \"net_recvi_bytes\": 12721345966, \"net_sendi_bytes\": 12421399074, "
                + "\"srs_sample_time\": 1796189008844, \"srs_recv_bytes\": 952978, \"srs_send_bytes\": 789091, "
                + "\"conn_sys\": 201, \"conn_sys_et\": 8, \"conn_sys_tw\": 182, \"conn_sys_udp\": 5, \"conn_srs\": "
                + clientCount() + "}}";
    }

    private static String streamId(int i) {
        return "vid-p0" + (22930 + i);
    }

    private List<String> streamObjects() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            Stream s = streams.get(i);
            out.add("{\"id\": \"" + streamId(i) + "\", \"name\": \"" + s.name() + "\", \"vhost\": \"" + VHOST_ID
                    + "\", \"app\": \"" + s.app() + "\", \"tcUrl\": \"rtmp://127.0.0.1:31935/" + s.app()
                    + "\", \"url\": \"/" + s.app() + "/" + s.name() + "\", \"live_ms\": 1796189011704, \"clients\": "
                    + (s.players() + (s.publishing() ? 1 : 0)) + ", \"frames\": 0, \"send_bytes\": 789091, "
                    + "\"recv_bytes\": 952978, \"kbps\": {\"recv_30s\": " + s.recvKbps() + ", \"send_30s\": "
                    + s.sendKbps() + "}, \"publish\": {\"active\": " + s.publishing() + (s.publishing()
                    ? ", \"cid\": \"pub" + i + "\"" : "") + "}, \"video\": {\"codec\": \"H264\", \"profile\": "
                    + "\"Baseline\", \"level\": \"3\", \"width\": 640, \"height\": 360}, \"audio\": {\"codec\": "
                    + "\"AAC\", \"sample_rate\": 44100, \"channel\": 2, \"profile\": \"LC\"}}");
        }
        return out;
    }

    private List<String> clientObjects() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            Stream s = streams.get(i);
            int n = s.players() + (s.publishing() ? 1 : 0);
            for (int c = 0; c < n; c++) {
                boolean publisher = s.publishing() && c == 0;
                out.add("{\"id\": \"c" + i + "x" + c + "\", \"vhost\": \"" + VHOST_ID + "\", \"stream\": \""
                        + streamId(i) + "\", \"ip\": \"127.0.0.1\", \"pageUrl\": \"\", \"swfUrl\": \"\", "
                        + "\"tcUrl\": \"rtmp://127.0.0.1:31935/" + s.app() + "\", \"url\": \"/" + s.app() + "/"
                        + s.name() + "\", \"name\": \"" + s.name() + "\", \"type\": \""
                        + (publisher ? "fmle-publish" : "flv-play") + "\", \"publish\": " + publisher
                        + ", \"alive\": 12.74, \"send_bytes\": 4384, \"recv_bytes\": 1309056, \"kbps\": "
                        + "{\"recv_30s\": " + (publisher ? s.recvKbps() : 0) + ", \"send_30s\": "
                        + (publisher ? 0 : s.sendKbps()) + "}}");
            }
        }
        return out;
    }

    /** SRS's paging: {@code start} from 0, {@code count} 10 by default and never under 10. */
    private static List<String> page(List<String> all, Map<String, String> q) {
        int start = Integer.parseInt(q.getOrDefault("start", "0"));
        int count = Math.max(10, Integer.parseInt(q.getOrDefault("count", "10")));
        return all.subList(Math.min(start, all.size()), Math.min(all.size(), start + count));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw != null) {
            for (String p : raw.split("&")) {
                int eq = p.indexOf('=');
                if (eq > 0) {
                    m.put(p.substring(0, eq), p.substring(eq + 1));
                }
            }
        }
        return m;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}

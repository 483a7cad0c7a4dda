package io.origincluster.dataplane.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the replies of an SRS origin's HTTP API ({@code /api/v1/summaries}, {@code /api/v1/vhosts/},
 * {@code /api/v1/streams/}, {@code /api/v1/clients/}) into small typed records. Only the fields the cluster API
 * shows are read; unknown fields are ignored, a field of the wrong type is an error naming its path
 * ({@code streams[2].kbps.recv_30s: expected a number, got "x"}), never a crash.
 */
final class SrsReplies {

    private SrsReplies() {
    }

    record Summary(Double cpuPercent, Long memoryKbyte, Long connections, Double load1m, Long uptimeSeconds,
                   String version) { }

    record Codec(String codec, String profile, Integer width, Integer height, Integer sampleRate,
                 Integer channels) { }

    record Stream(String id, String vhostId, String app, String name, long clients, boolean publishing,
                  long recvKbps, long sendKbps, long recvBytes, long sendBytes, Codec video, Codec audio) { }

    record Client(String id, String vhostId, String streamId, String app, String name, String ip, String type,
                  boolean publish, double aliveSeconds, long recvKbps, long sendKbps) { }

    /** Checks SRS's envelope: an object with {@code code} 0. */
    static void checkEnvelope(JsonNode root, String what) {
        if (root == null || !root.isObject()) {
            throw new BadOriginReply(what + ": expected a JSON object, got " + kind(root));
        }
        JsonNode code = root.get("code");
        if (code == null || !code.isIntegralNumber()) {
            throw new BadOriginReply(what + ": no numeric 'code' (not an SRS API reply?)");
        }
        if (code.asLong() != 0) {
            throw new BadOriginReply(what + ": origin answered code " + code.asLong());
        }
    }

    static Summary summary(JsonNode root) {
        checkEnvelope(root, "summaries");
        JsonNode data = object(root, "data", "summaries.data");
        JsonNode self = optionalObject(data, "self", "summaries.data.self");
        JsonNode system = optionalObject(data, "system", "summaries.data.system");
        return new Summary(
                self == null ? null : decimal(self, "cpu_percent", "summaries.data.self"),
                self == null ? null : integer(self, "mem_kbyte", "summaries.data.self"),
                system == null ? null : integer(system, "conn_srs", "summaries.data.system"),
                system == null ? null : decimal(system, "load_1m", "summaries.data.system"),
                self == null ? null : integer(self, "srs_uptime", "summaries.data.self"),
                self == null ? null : text(self, "version", "summaries.data.self"));
    }

    /** Vhost id to name ({@code vid-j5q959s} to {@code __defaultVhost__}). */
    static Map<String, String> vhosts(JsonNode root) {
        checkEnvelope(root, "vhosts");
        Map<String, String> out = new HashMap<>();
        JsonNode list = array(root, "vhosts", "vhosts");
        for (int i = 0; i < list.size(); i++) {
            String path = "vhosts[" + i + "]";
            JsonNode v = element(list, i, path);
            String id = required(text(v, "id", path), path + ".id");
            String name = required(text(v, "name", path), path + ".name");
            out.put(id, name);
        }
        return out;
    }

    static List<Stream> streams(JsonNode root, int offset) {
        checkEnvelope(root, "streams");
        JsonNode list = array(root, "streams", "streams");
        List<Stream> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String path = "streams[" + (offset + i) + "]";
            JsonNode s = element(list, i, path);
            JsonNode kbps = optionalObject(s, "kbps", path + ".kbps");
            JsonNode publish = optionalObject(s, "publish", path + ".publish");
            out.add(new Stream(
                    required(text(s, "id", path), path + ".id"),
                    text(s, "vhost", path),
                    required(text(s, "app", path), path + ".app"),
                    required(text(s, "name", path), path + ".name"),
                    orZero(integer(s, "clients", path)),
                    publish != null && bool(publish, "active", path + ".publish"),
                    kbps == null ? 0 : orZero(integer(kbps, "recv_30s", path + ".kbps")),
                    kbps == null ? 0 : orZero(integer(kbps, "send_30s", path + ".kbps")),
                    orZero(integer(s, "recv_bytes", path)),
                    orZero(integer(s, "send_bytes", path)),
                    codec(optionalObject(s, "video", path + ".video"), path + ".video"),
                    codec(optionalObject(s, "audio", path + ".audio"), path + ".audio")));
        }
        return out;
    }

    static List<Client> clients(JsonNode root, int offset) {
        checkEnvelope(root, "clients");
        JsonNode list = array(root, "clients", "clients");
        List<Client> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String path = "clients[" + (offset + i) + "]";
            JsonNode c = element(list, i, path);
            JsonNode kbps = optionalObject(c, "kbps", path + ".kbps");
            Double alive = decimal(c, "alive", path);
            out.add(new Client(
                    required(text(c, "id", path), path + ".id"),
                    text(c, "vhost", path),
                    text(c, "stream", path),
                    appOf(text(c, "url", path)),
                    text(c, "name", path),
                    text(c, "ip", path),
                    text(c, "type", path),
                    c.has("publish") && bool(c, "publish", path),
                    alive == null ? 0 : alive,
                    kbps == null ? 0 : orZero(integer(kbps, "recv_30s", path + ".kbps")),
                    kbps == null ? 0 : orZero(integer(kbps, "send_30s", path + ".kbps"))));
        }
        return out;
    }

    /** {@code /live/cap} to {@code live}. */
    private static String appOf(String url) {
        if (url == null) {
            return null;
        }
        String u = url.startsWith("/") ? url.substring(1) : url;
        int slash = u.lastIndexOf('/');
        return slash < 0 ? null : u.substring(0, slash);
    }

    private static Codec codec(JsonNode c, String path) {
        if (c == null) {
            return null;
        }
        return new Codec(text(c, "codec", path), text(c, "profile", path),
                small(integer(c, "width", path)), small(integer(c, "height", path)),
                small(integer(c, "sample_rate", path)), small(integer(c, "channel", path)));
    }

    private static Integer small(Long v) {
        return v == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static <T> T required(T v, String path) {
        if (v == null) {
            throw new BadOriginReply(path + ": missing");
        }
        return v;
    }

    private static JsonNode element(JsonNode list, int i, String path) {
        JsonNode n = list.get(i);
        if (!n.isObject()) {
            throw new BadOriginReply(path + ": expected an object, got " + kind(n));
        }
        return n;
    }

    private static JsonNode object(JsonNode parent, String field, String path) {
        JsonNode n = optionalObject(parent, field, path);
        if (n == null) {
            throw new BadOriginReply(path + ": missing");
        }
        return n;
    }

    private static JsonNode optionalObject(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new BadOriginReply(path + ": expected an object, got " + kind(n));
        }
        return n;
    }

    private static JsonNode array(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isArray()) {
            throw new BadOriginReply(path + ": expected an array, got " + kind(n));
        }
        return n;
    }

    private static String text(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new BadOriginReply(path + "." + field + ": expected a string, got " + kind(n));
        }
        String s = n.asText();
        return s.length() > 1024 ? s.substring(0, 1024) : s;
    }

    private static Long integer(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new BadOriginReply(path + "." + field + ": expected a number, got " + kind(n));
        }
        return n.asLong();
    }

    private static Double decimal(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new BadOriginReply(path + "." + field + ": expected a number, got " + kind(n));
        }
        return n.asDouble();
    }

    private static boolean bool(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new BadOriginReply(path + "." + field + ": expected true or false, got " + kind(n));
        }
        return n.asBoolean();
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isTextual()) {
            String t = n.asText();
            return "\"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}

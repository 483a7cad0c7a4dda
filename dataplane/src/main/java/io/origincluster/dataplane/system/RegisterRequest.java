package io.origincluster.dataplane.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The body of SRS's heartbeat ({@code POST /api/v1/srs/register}) turned into a {@link Backend}. Accepts exactly
 * what SRS sends: {@code ip}, {@code server}, {@code service}, {@code pid} (a JSON string) and a non-empty
 * {@code rtmp} list are required; {@code http}, {@code api}, {@code srt}, {@code rtc}, {@code device_id} are
 * optional; unknown keys such as {@code summaries} are ignored. Every problem becomes an
 * {@link InvalidRequestException} whose message names the field.
 */
public record RegisterRequest(String ip, String server, String service, String pid, String deviceId,
                              Map<Protocol, List<Endpoint>> endpoints) {

    /** Bounds what one registration can store; SRS sends one or two entries per list. */
    static final int MAX_ENDPOINTS = 16;
    private static final int MAX_FIELD = 255;

    /** A request the API answers with 400; the message says what is wrong. */
    public static final class InvalidRequestException extends RuntimeException {
        InvalidRequestException(String message) {
            super(message);
        }
    }

    /** The backend id SRS's proxy uses: a restarted SRS (new service id and pid) is a new backend. */
    public String backendId() {
        return id(server, service, pid);
    }

    static String id(String server, String service, String pid) {
        return server + "-" + service + "-" + pid;
    }

    public Backend toBackend() {
        Map<String, String> labels = deviceId.isEmpty() ? Map.of() : Map.of("device_id", deviceId);
        return Backend.of(backendId(), ip, endpoints, BackendSource.REGISTER).withLabels(labels);
    }

    public static RegisterRequest parse(ObjectMapper json, byte[] body) {
        JsonNode root = object(json, body);
        String ip = requiredString(root, "ip");
        if (!ip.matches("[A-Za-z0-9.:_\\-\\[\\]%]+")) {
            throw new InvalidRequestException("ip: '" + ip + "' is not an IP address or host name");
        }
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        String server = requiredString(root, "server");
        String service = requiredString(root, "service");
        String pid = requiredString(root, "pid");
        String deviceId = optionalString(root, "device_id");
        Map<Protocol, List<Endpoint>> endpoints = new EnumMap<>(Protocol.class);
        for (Protocol p : Protocol.values()) {
            boolean required = p == Protocol.RTMP;
            String transport = p == Protocol.SRT || p == Protocol.RTC ? "udp" : "tcp";
            List<Endpoint> list = endpoints(root, p.jsonName(), transport, required);
            if (!list.isEmpty()) {
                endpoints.put(p, list);
            }
        }
        return new RegisterRequest(ip, server, service, pid, deviceId, endpoints);
    }

    /** Only the identity, for a deregistration that sends the same body as its heartbeat. */
    public static String parseBackendId(ObjectMapper json, byte[] body) {
        JsonNode root = object(json, body);
        return id(requiredString(root, "server"), requiredString(root, "service"), requiredString(root, "pid"));
    }

    private static JsonNode object(ObjectMapper json, byte[] body) {
        if (body.length == 0) {
            throw new InvalidRequestException("empty body: expected a JSON object");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("body must be a JSON object, got " + kind(root));
        }
        return root;
    }

    private static String requiredString(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidRequestException(field + ": missing");
        }
        String s = string(n, field);
        if (s.isEmpty()) {
            throw new InvalidRequestException(field + ": empty");
        }
        return s;
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? "" : string(n, field);
    }

    private static String string(JsonNode n, String field) {
        if (!n.isTextual()) {
            throw new InvalidRequestException(field + ": must be a string, got " + kind(n));
        }
        String s = n.textValue().trim();
        if (s.length() > MAX_FIELD) {
            throw new InvalidRequestException(field + ": longer than " + MAX_FIELD + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new InvalidRequestException(field + ": contains a control character");
            }
        }
        return s;
    }

    private static List<Endpoint> endpoints(JsonNode root, String field, String transport, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new InvalidRequestException(field + ": missing (enable heartbeat.ports in SRS)");
            }
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidRequestException(field + ": must be an array of strings, got " + kind(n));
        }
        if (n.isEmpty() && required) {
            throw new InvalidRequestException(field + ": empty");
        }
        if (n.size() > MAX_ENDPOINTS) {
            throw new InvalidRequestException(field + ": more than " + MAX_ENDPOINTS + " endpoints");
        }
        List<Endpoint> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String where = field + "[" + i + "]";
            if (!e.isTextual()) {
                throw new InvalidRequestException(where + ": must be a string, got " + kind(e));
            }
            try {
                out.add(Endpoint.parse(e.textValue(), transport));
            } catch (IllegalArgumentException ex) {
                throw new InvalidRequestException(where + ": " + ex.getMessage());
            }
        }
        return out;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}

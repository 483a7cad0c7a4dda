package io.origincluster.dataplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** SRS's JSON signalling envelope ({@code {"sdp": ..., ...}}): read and written with every other field kept. */
final class JsonEnvelope {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonEnvelope() {
    }

    static ObjectNode jsonObject(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n instanceof ObjectNode o) {
                return o;
            }
        } catch (java.io.IOException e) {
            // reported below
        }
        throw new BadRequest("body is not a JSON object");
    }

    static String textField(ObjectNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    static byte[] jsonBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

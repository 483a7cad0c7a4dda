package io.origincluster.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The object an update should produce: the current object with the desired one laid over it the way RFC 7386
 * merge patch would (objects merge key by key, arrays and scalars are replaced, nothing we do not set is
 * removed), except that ownerReferences are ours to set. Values the API server allocated inside lists we
 * replace (a Service port's nodePort) are carried over so that an update never reallocates them.
 */
final class MergeOverlay {
    private MergeOverlay() {
    }

    static ObjectNode overlay(ObjectNode current, ObjectNode desired) {
        ObjectNode result = current.deepCopy();
        merge(result, desired);
        JsonNode owners = desired.path("metadata").get("ownerReferences");
        if (owners != null) {
            ((ObjectNode) result.get("metadata")).set("ownerReferences", owners.deepCopy());
        }
        if ("Service".equals(desired.path("kind").asText())) {
            keepNodePorts(current, result);
        }
        return result;
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            if (f.getValue().isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, (ObjectNode) f.getValue());
            } else if (!f.getValue().isNull()) {
                target.set(f.getKey(), f.getValue().deepCopy());
            }
        }
    }

    private static void keepNodePorts(ObjectNode current, ObjectNode result) {
        Map<String, JsonNode> allocated = new HashMap<>();
        current.path("spec").path("ports").forEach(p -> {
            if (p.has("nodePort")) {
                allocated.put(p.path("name").asText(), p.get("nodePort"));
            }
        });
        JsonNode ports = result.path("spec").path("ports");
        if (ports instanceof ArrayNode list) {
            list.forEach(p -> {
                JsonNode nodePort = allocated.get(p.path("name").asText());
                if (nodePort != null && !p.has("nodePort")) {
                    ((ObjectNode) p).set("nodePort", nodePort);
                }
            });
        }
    }
}

package io.origincluster.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks an object against a CRD's structural openAPIV3Schema the way the API server's schema validation does for
 * what this CRD uses: types, required fields, enums, minimum/maximum, string length and pattern, and unknown fields
 * (rejected unless the schema preserves them). CEL rules (x-kubernetes-validations) are not evaluated: they are
 * listed by {@link #celRules} so a test can check them by hand.
 */
public final class CrdSchemaValidator {
    private final JSONSchemaProps root;

    public CrdSchemaValidator(CustomResourceDefinition crd, String version) {
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().stream()
                .filter(x -> x.getName().equals(version)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("CRD has no version " + version));
        this.root = v.getSchema().getOpenAPIV3Schema();
    }

    /** Every violation, as {@code path: problem}; empty when the object is valid. */
    public List<String> validate(JsonNode object) {
        List<String> errors = new ArrayList<>();
        // apiVersion, kind and metadata are checked by the API server itself, not by the CRD schema
        JsonNode spec = object.get("spec");
        JSONSchemaProps specSchema = root.getProperties().get("spec");
        if (spec != null) {
            check("spec", spec, specSchema, errors);
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(f)) {
                errors.add(f + ": unknown field");
            }
        }
        return errors;
    }

    /** The CEL rules of the schema, path to rule, for checks a test does itself. */
    public Map<String, String> celRules() {
        Map<String, String> out = new java.util.TreeMap<>();
        collectRules("", root, out);
        return out;
    }

    private static void collectRules(String path, JSONSchemaProps s, Map<String, String> out) {
        if (s == null) {
            return;
        }
        if (s.getXKubernetesValidations() != null) {
            s.getXKubernetesValidations().forEach(r -> out.put(path.isEmpty() ? "." : path, r.getRule()));
        }
        if (s.getProperties() != null) {
            s.getProperties().forEach((k, v) -> collectRules(path + "." + k, v, out));
        }
        if (s.getItems() != null) {
            collectRules(path + "[]", s.getItems().getSchema(), out);
        }
    }

    private static void check(String path, JsonNode value, JSONSchemaProps s, List<String> errors) {
        if (value.isNull()) {
            if (!Boolean.TRUE.equals(s.getNullable())) {
                errors.add(path + ": must not be null");
            }
            return;
        }
        if (Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = s.getType();
        if (type == null) {
            if (!Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields())) {
                errors.add(path + ": schema has no type and does not preserve unknown fields");
            }
            return;
        }
        switch (type) {
            case "object" -> object(path, value, s, errors);
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(path + "[" + i + "]", value.get(i), s.getItems().getSchema(), errors);
                }
            }
            case "string" -> string(path, value, s, errors);
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(path + ": must be an integer");
                    return;
                }
                number(path, value, s, errors);
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(path + ": must be a number");
                    return;
                }
                number(path, value, s, errors);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(path + ": must be a boolean");
                }
            }
            default -> errors.add(path + ": unsupported schema type " + type);
        }
    }

    private static void object(String path, JsonNode value, JSONSchemaProps s, List<String> errors) {
        if (!value.isObject()) {
            errors.add(path + ": must be an object");
            return;
        }
        if (s.getRequired() != null) {
            for (String r : s.getRequired()) {
                if (!value.has(r)) {
                    errors.add(path + "." + r + ": required");
                }
            }
        }
        Map<String, JSONSchemaProps> props = s.getProperties() == null ? Map.of() : s.getProperties();
        JSONSchemaProps additional = s.getAdditionalProperties() == null ? null : s.getAdditionalProperties().getSchema();
        boolean preserve = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields());
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path + "." + e.getKey();
            if (props.containsKey(e.getKey())) {
                check(p, e.getValue(), props.get(e.getKey()), errors);
            } else if (additional != null) {
                check(p, e.getValue(), additional, errors);
            } else if (!preserve) {
                errors.add(p + ": unknown field");
            }
        }
    }

    private static void string(String path, JsonNode value, JSONSchemaProps s, List<String> errors) {
        if (!value.isTextual()) {
            errors.add(path + ": must be a string");
            return;
        }
        String v = value.textValue();
        if (s.getEnum() != null && !s.getEnum().isEmpty()
                && s.getEnum().stream().noneMatch(e -> e.isTextual() && e.textValue().equals(v))) {
            errors.add(path + ": '" + v + "' is not one of " + s.getEnum());
        }
        if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(v).find()) {
            errors.add(path + ": '" + v + "' does not match " + s.getPattern());
        }
        if (s.getMinLength() != null && v.length() < s.getMinLength()) {
            errors.add(path + ": shorter than " + s.getMinLength());
        }
        if (s.getMaxLength() != null && v.length() > s.getMaxLength()) {
            errors.add(path + ": longer than " + s.getMaxLength());
        }
    }

    private static void number(String path, JsonNode value, JSONSchemaProps s, List<String> errors) {
        double v = value.doubleValue();
        if (s.getMinimum() != null && v < s.getMinimum()) {
            errors.add(path + ": " + value + " is less than the minimum " + s.getMinimum().longValue());
        }
        if (s.getMaximum() != null && v > s.getMaximum()) {
            errors.add(path + ": " + value + " is more than the maximum " + s.getMaximum().longValue());
        }
    }
}

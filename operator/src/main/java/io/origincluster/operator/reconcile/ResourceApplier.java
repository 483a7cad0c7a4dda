package io.origincluster.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Create-or-update of owned objects with plain POST and JSON Patch (RFC 6902): the same calls in production and on
 * the CRUD mock API server, which has no server-side apply and merges arrays differently from a real API server
 * under merge patch. The patch is the difference between the cached object and {@link MergeOverlay} of the
 * desired one over it, so it has merge-patch meaning (lists replaced, keys we never set kept) on every server.
 * The desired object's hash is stored in an annotation, so an unchanged object is never written again (no churn,
 * no event loops through our own informers).
 */
public final class ResourceApplier {
    public static final String APPLIED_HASH = "origincluster.io/applied-hash";

    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    private final KubernetesClient client;

    public ResourceApplier(KubernetesClient client) {
        this.client = client;
    }

    /** @param actual the object as the informer cache has it, or null if absent */
    public <T extends HasMetadata> Outcome apply(T desired, T actual) {
        String hash = hash(desired);
        Map<String, String> annotations = new HashMap<>(
                desired.getMetadata().getAnnotations() == null ? Map.of() : desired.getMetadata().getAnnotations());
        annotations.put(APPLIED_HASH, hash);
        desired.getMetadata().setAnnotations(annotations);
        if (actual == null) {
            try {
                client.resource(desired).create();
                return Outcome.CREATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // created meanwhile, our cache is behind: fall through to a patch
            }
        } else if (actual.getMetadata().getAnnotations() != null
                && hash.equals(actual.getMetadata().getAnnotations().get(APPLIED_HASH))) {
            return Outcome.UNCHANGED;
        }
        T current = actual != null ? actual : client.resource(desired).get();
        ObjectNode currentTree = client.getKubernetesSerialization().convertValue(current, ObjectNode.class);
        ObjectNode next = MergeOverlay.overlay(currentTree,
                client.getKubernetesSerialization().convertValue(desired, ObjectNode.class));
        JsonNode patch = JsonDiff.asJson(currentTree, next);
        client.resource(current).patch(PatchContext.of(PatchType.JSON), patch.toString());
        return Outcome.UPDATED;
    }

    /** Creates the object only if it is missing; for objects whose content must never change (generated keys). */
    public <T extends HasMetadata> Outcome createIfMissing(T desired, T actual) {
        if (actual != null) {
            return Outcome.UNCHANGED;
        }
        try {
            client.resource(desired).create();
            return Outcome.CREATED;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Outcome.UNCHANGED;
            }
            throw e;
        }
    }

    static String hash(HasMetadata desired) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

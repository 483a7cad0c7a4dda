package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Create-or-update of owned objects with plain POST and JSON merge patch: the same calls in production and on the
 * CRUD mock API server (which has no server-side apply). The desired object's hash is stored in an annotation, so
 * an unchanged object is never written again (no churn, no event loops through our own informers).
 * Merge patch replaces lists wholesale and leaves keys we never set (someone else's labels) alone.
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
        client.resource(desired).patch(PatchContext.of(PatchType.JSON_MERGE));
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

package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Collection;
import java.util.Map;

/** A scale-down removes the pods with the lowest deletion cost first: cost = streams pinned to the origin. */
public final class DeletionCostAnnotator {
    public static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

    private final KubernetesClient client;

    public DeletionCostAnnotator(KubernetesClient client) {
        this.client = client;
    }

    /** Patches only pods whose annotation differs; returns how many it patched. */
    public int annotate(Collection<Pod> pods, Map<String, Long> pinsByPod) {
        int patched = 0;
        for (Pod pod : pods) {
            Long pins = pinsByPod.get(pod.getMetadata().getName());
            if (pins == null) {
                continue;
            }
            String wanted = Long.toString(Math.min(pins, Integer.MAX_VALUE));
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (annotations != null && wanted.equals(annotations.get(ANNOTATION))) {
                continue;
            }
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + wanted + "\"}}}");
                patched++;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        return patched;
    }
}

package io.origincluster.operator.registration;

import java.util.List;
import java.util.Map;

/**
 * What one sync saw and did.
 *
 * @param registered   backend ids of this cluster's serving pods now in the store
 * @param added        pods newly registered in this sync
 * @param removed      KUBERNETES backends removed (pod NotReady without a deletion, stopped or gone)
 * @param drained      backends of terminating pods marked draining in this sync (they stay registered)
 * @param pinsByPod    pinned streams per pod name
 * @param streams      pinned streams in the whole cluster
 */
public record RegistrationResult(List<String> registered, List<String> added, List<String> removed,
                                 List<String> drained, Map<String, Long> pinsByPod, int streams) {
}

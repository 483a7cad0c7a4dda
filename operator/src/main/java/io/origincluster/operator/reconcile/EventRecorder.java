package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.origincluster.operator.crd.OriginCluster;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on the OriginCluster for notable changes (kubectl describe shows them). Best effort. */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    static final String COMPONENT = "origin-cluster-operator";

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void normal(OriginCluster cluster, String reason, String message) {
        record(cluster, "Normal", reason, message);
    }

    public void warning(OriginCluster cluster, String reason, String message) {
        record(cluster, "Warning", reason, message);
    }

    private void record(OriginCluster cluster, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(cluster.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(cluster.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
                    .withNamespace(cluster.getMetadata().getNamespace())
                    .endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(cluster.getApiVersion()).withKind(cluster.getKind())
                    .withName(cluster.getMetadata().getName()).withNamespace(cluster.getMetadata().getNamespace())
                    .withUid(cluster.getMetadata().getUid())
                    .endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("cluster", cluster.getMetadata().getName()).addKeyValue("reason", reason)
                    .log("could not record event: {}", e.getMessage());
        }
    }
}

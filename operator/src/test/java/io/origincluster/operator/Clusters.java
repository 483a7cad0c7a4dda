package io.origincluster.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.resources.Labels;
import java.util.UUID;

/** Test fixtures: a cluster as the API server would hand it over, and its origin pods. */
public final class Clusters {
    private Clusters() {
    }

    public static OriginCluster cluster(String namespace, String name, String redisUrl) {
        OriginCluster c = new OriginCluster();
        c.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
                .withUid(UUID.randomUUID().toString()).withGeneration(1L).build());
        c.getSpec().redis.url = redisUrl;
        return c;
    }

    /** An origin pod as the Deployment would create it; Ready with an IP when {@code ip} is not null. */
    public static Pod originPod(OriginCluster cluster, String name, String ip) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(cluster.getMetadata().getNamespace())
                .withName(name).withUid(UUID.randomUUID().toString())
                .withLabels(Labels.of(cluster, Labels.Role.ORIGIN)).endMetadata()
                .withNewSpec().addNewContainer().withName("origin").withImage("ossrs/srs:6").endContainer().endSpec();
        if (ip != null) {
            b.withNewStatus().withPhase("Running").withPodIP(ip)
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        }
        return b.build();
    }

    public static Pod notReady(Pod pod) {
        return new PodBuilder(pod).editStatus().withConditions().addNewCondition().withType("Ready")
                .withStatus("False").endCondition().endStatus().build();
    }
}

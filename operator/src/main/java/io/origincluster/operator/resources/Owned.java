package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.origincluster.operator.crd.OriginCluster;

/** Metadata of an object the cluster owns: Kubernetes garbage-collects it with the OriginCluster. */
public final class Owned {
    private Owned() {
    }

    public static ObjectMeta meta(OriginCluster cluster, String name, Labels.Role role) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.of(cluster, role))
                .withOwnerReferences(ownerReference(cluster))
                .build();
    }

    public static OwnerReference ownerReference(OriginCluster cluster) {
        return new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}

package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.origincluster.operator.crd.OriginCluster;
import java.util.List;

/** A single, non-persistent Redis for development clusters ({@code spec.redis.managed: true}). */
public final class ManagedRedisBuilder {
    private ManagedRedisBuilder() {
    }

    public static Deployment deployment(OriginCluster cluster) {
        return new DeploymentBuilder()
                .withMetadata(Owned.meta(cluster, Names.redis(cluster), Labels.Role.REDIS))
                .withNewSpec()
                .withReplicas(1)
                .withNewStrategy().withType("Recreate").endStrategy()
                .withNewSelector().withMatchLabels(Labels.selector(cluster, Labels.Role.REDIS)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(cluster, Labels.Role.REDIS)).endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("redis")
                .withImage(cluster.getSpec().redis.managedImage)
                .withArgs(List.of("redis-server", "--save", "", "--appendonly", "no"))
                .addNewPort().withName("redis").withContainerPort(RedisUrls.MANAGED_PORT).endPort()
                .withReadinessProbe(OriginDeploymentBuilder.tcpProbe("redis", 1, 5))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static Service service(OriginCluster cluster) {
        return new ServiceBuilder()
                .withMetadata(Owned.meta(cluster, Names.redis(cluster), Labels.Role.REDIS))
                .withNewSpec()
                .withSelector(Labels.selector(cluster, Labels.Role.REDIS))
                .addNewPort().withName("redis").withPort(RedisUrls.MANAGED_PORT).withNewTargetPort("redis").endPort()
                .endSpec()
                .build();
    }
}

package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.origincluster.operator.crd.OriginCluster;

/** Headless: gives origin pods stable DNS; proxies dial pod IPs from the state store, not this Service. */
public final class OriginServiceBuilder {
    private OriginServiceBuilder() {
    }

    public static Service desired(OriginCluster cluster) {
        return new ServiceBuilder()
                .withMetadata(Owned.meta(cluster, Names.originService(cluster), Labels.Role.ORIGIN))
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(Labels.selector(cluster, Labels.Role.ORIGIN))
                .withPorts(ContainerPorts.servicePorts(ContainerPorts.origin(cluster.getSpec().origins.ports)))
                .endSpec()
                .build();
    }
}

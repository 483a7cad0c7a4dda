package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.ProxyServiceSpec;

/** The clients' entry point: RTMP/HTTP/API over TCP, WebRTC and SRT over UDP, on one Service. */
public final class ProxyServiceBuilder {
    private ProxyServiceBuilder() {
    }

    public static Service desired(OriginCluster cluster) {
        ProxyServiceSpec svc = cluster.getSpec().proxy.service;
        Service s = new ServiceBuilder()
                .withMetadata(Owned.meta(cluster, Names.proxyService(cluster), Labels.Role.PROXY))
                .withNewSpec()
                .withType(svc.type.name())
                .withSelector(Labels.selector(cluster, Labels.Role.PROXY))
                .withPorts(ContainerPorts.servicePorts(ContainerPorts.proxyPublic(cluster.getSpec().proxy.ports,
                        cluster.getSpec().proxy.tls)))
                .endSpec()
                .build();
        if (svc.annotations != null && !svc.annotations.isEmpty()) {
            s.getMetadata().setAnnotations(new java.util.LinkedHashMap<>(svc.annotations));
        }
        return s;
    }
}

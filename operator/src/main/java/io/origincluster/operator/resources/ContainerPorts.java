package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.origincluster.operator.crd.OriginPorts;
import io.origincluster.operator.crd.ProxyPorts;
import io.origincluster.operator.crd.ProxyTlsSpec;
import java.util.ArrayList;
import java.util.List;

/** Named ports of origins and proxies, shared by the Deployments and the Services so they never disagree. */
public final class ContainerPorts {
    public record Port(String name, int number, String protocol) {
        ContainerPort container() {
            return new ContainerPortBuilder().withName(name).withContainerPort(number).withProtocol(protocol).build();
        }

        ServicePort service() {
            return new ServicePortBuilder().withName(name).withPort(number).withNewTargetPort(name)
                    .withProtocol(protocol).build();
        }
    }

    private ContainerPorts() {
    }

    /** Port 0 for srt, rtc or rtsp turns that listener off. */
    public static List<Port> origin(OriginPorts p) {
        List<Port> l = new ArrayList<>();
        l.add(new Port("rtmp", p.rtmp, "TCP"));
        l.add(new Port("http", p.http, "TCP"));
        l.add(new Port("api", p.api, "TCP"));
        if (p.srt > 0) {
            l.add(new Port("srt", p.srt, "UDP"));
        }
        if (p.rtc > 0) {
            l.add(new Port("rtc", p.rtc, "UDP"));
        }
        if (p.rtsp > 0) {
            l.add(new Port("rtsp", p.rtsp, "TCP"));
        }
        return l;
    }

    /** What clients reach through the proxy Service: the system (register) API stays off it. */
    public static List<Port> proxyPublic(ProxyPorts p, ProxyTlsSpec tls) {
        List<Port> l = new ArrayList<>(List.of(new Port("rtmp", p.rtmp, "TCP"), new Port("http", p.http, "TCP"),
                new Port("api", p.api, "TCP"), new Port("webrtc", p.webrtc, "UDP"), new Port("srt", p.srt, "UDP")));
        if (p.rtsp > 0) {
            l.add(new Port("rtsp", p.rtsp, "TCP"));
        }
        if (tls != null && tls.enabled()) {
            if (tls.rtmps > 0) {
                l.add(new Port("rtmps", tls.rtmps, "TCP"));
            }
            if (tls.https > 0) {
                l.add(new Port("https", tls.https, "TCP"));
            }
            if (tls.httpsApi > 0) {
                l.add(new Port("https-api", tls.httpsApi, "TCP"));
            }
        }
        return l;
    }

    public static List<Port> proxyAll(ProxyPorts p, ProxyTlsSpec tls) {
        List<Port> l = new ArrayList<>(proxyPublic(p, tls));
        l.add(new Port("system", p.system, "TCP"));
        return l;
    }

    static List<ContainerPort> containerPorts(List<Port> ports) {
        return ports.stream().map(Port::container).toList();
    }

    static List<ServicePort> servicePorts(List<Port> ports) {
        return ports.stream().map(Port::service).toList();
    }
}

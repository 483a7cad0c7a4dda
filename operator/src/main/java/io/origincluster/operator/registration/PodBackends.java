package io.origincluster.operator.registration;

import io.fabric8.kubernetes.api.model.Pod;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginPorts;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** How an origin pod appears in the state store. Pure functions of the pod and the spec. */
public final class PodBackends {
    public static final String LABEL_NAMESPACE = "namespace";
    public static final String LABEL_POD = "pod";
    public static final String LABEL_UID = "uid";

    private PodBackends() {
    }

    /** Ready, has an IP and is not being deleted: the only pods proxies may send streams to. */
    public static boolean isServing(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
            return false;
        }
        String ip = pod.getStatus().getPodIP();
        if (ip == null || ip.isBlank() || !"Running".equals(pod.getStatus().getPhase())) {
            return false;
        }
        return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * Being deleted (scale-down, rolling update, eviction) but still running with an IP: the origin process is
     * kept alive by its preStop hook while proxies move its sessions away, so it stays registered, draining.
     * Readiness does not matter here; the pod leaves the store when it stops running or is gone.
     */
    public static boolean isDraining(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() == null || pod.getStatus() == null) {
            return false;
        }
        String ip = pod.getStatus().getPodIP();
        return ip != null && !ip.isBlank() && "Running".equals(pod.getStatus().getPhase());
    }

    /** {@code <namespace>/<pod>-<uid tail>}: readable, and a recreated pod of the same name is a new backend. */
    public static String backendId(Pod pod) {
        String uid = pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
        String tail = uid.length() > 8 ? uid.substring(uid.length() - 8) : uid;
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + (tail.isEmpty() ? "" : "-" + tail);
    }

    public static Backend backend(OriginCluster cluster, Pod pod) {
        OriginPorts p = cluster.getSpec().origins.ports;
        Map<Protocol, List<Endpoint>> endpoints = new EnumMap<>(Protocol.class);
        // host null: proxies dial the backend's ip, the pod IP
        endpoints.put(Protocol.RTMP, List.of(new Endpoint("tcp", null, p.rtmp)));
        endpoints.put(Protocol.HTTP, List.of(new Endpoint("tcp", null, p.http)));
        endpoints.put(Protocol.API, List.of(new Endpoint("tcp", null, p.api)));
        if (p.srt > 0) {
            endpoints.put(Protocol.SRT, List.of(new Endpoint("udp", null, p.srt)));
        }
        if (p.rtc > 0) {
            endpoints.put(Protocol.RTC, List.of(new Endpoint("udp", null, p.rtc)));
        }
        if (p.rtsp > 0) {
            endpoints.put(Protocol.RTSP, List.of(new Endpoint("tcp", null, p.rtsp)));
        }
        Map<String, String> labels = Map.of(
                LABEL_NAMESPACE, pod.getMetadata().getNamespace(),
                LABEL_POD, pod.getMetadata().getName(),
                LABEL_UID, pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid());
        return new Backend(backendId(pod), pod.getStatus().getPodIP(), endpoints, BackendSource.KUBERNETES, labels,
                false, 1, cluster.getSpec().origins.maxStreams, null, null);
    }
}

package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginDrainSpec;
import io.origincluster.operator.crd.ProxyAuthSpec;
import io.origincluster.operator.crd.ProxyPorts;
import io.origincluster.operator.crd.ProxySpec;
import java.util.ArrayList;
import java.util.List;

/** The data-plane proxies, pointed at the cluster's Redis and cluster id. */
public final class ProxyDeploymentBuilder {
    private ProxyDeploymentBuilder() {
    }

    public static Deployment desired(OriginCluster cluster) {
        ProxySpec spec = cluster.getSpec().proxy;
        Container proxy = new ContainerBuilder()
                .withName("proxy")
                .withImage(spec.image)
                .withImagePullPolicy(spec.pullPolicy == null ? null : spec.pullPolicy.name())
                .withPorts(ContainerPorts.containerPorts(ContainerPorts.proxyAll(spec.ports, spec.tls)))
                .withEnv(EnvVars.merge(operatorEnv(cluster), spec.env))
                .withVolumeMounts(tlsEnabled(spec) ? List.of(new VolumeMountBuilder().withName(TLS_VOLUME)
                        .withMountPath(TLS_DIR).withReadOnly(true).build()) : List.of())
                .withResources(spec.resources)
                .withReadinessProbe(OriginDeploymentBuilder.tcpProbe("rtmp", 1, 5))
                .withLivenessProbe(OriginDeploymentBuilder.tcpProbe("rtmp", 10, 10))
                .build();
        return new DeploymentBuilder()
                .withMetadata(Owned.meta(cluster, Names.proxyDeployment(cluster), Labels.Role.PROXY))
                .withNewSpec()
                .withReplicas(spec.replicas)
                .withNewSelector().withMatchLabels(Labels.selector(cluster, Labels.Role.PROXY)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(cluster, Labels.Role.PROXY)).endMetadata()
                .withNewSpec().withContainers(proxy).withVolumes(tlsEnabled(spec) ? List.of(new VolumeBuilder()
                        .withName(TLS_VOLUME).withNewSecret().withSecretName(spec.tls.secretName).endSecret().build())
                        : List.of()).endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Where the TLS Secret is mounted; the kubelet swaps its files on renewal and the proxy re-reads them. */
    static final String TLS_DIR = "/etc/origincluster/tls";
    private static final String TLS_VOLUME = "tls";

    private static boolean tlsEnabled(ProxySpec spec) {
        return spec.tls != null && spec.tls.enabled();
    }

    private static String portOrOff(int port) {
        return port > 0 ? Integer.toString(port) : "off";
    }

    static List<EnvVar> operatorEnv(OriginCluster cluster) {
        ProxySpec spec = cluster.getSpec().proxy;
        ProxyPorts ports = spec.ports;
        List<EnvVar> env = new ArrayList<>();
        env.add(value("PROXY_LOAD_BALANCER_TYPE", "redis"));
        if (cluster.getSpec().redis.passwordSecretRef != null) {
            // defined before PROXY_REDIS_URL so that $(PROXY_REDIS_PASSWORD) in the URL expands
            env.add(new EnvVarBuilder().withName("PROXY_REDIS_PASSWORD").withNewValueFrom()
                    .withSecretKeyRef(cluster.getSpec().redis.passwordSecretRef).endValueFrom().build());
        }
        if (cluster.getSpec().redis.isCluster()) {
            env.add(value("PROXY_REDIS_CLUSTER_NODES", RedisUrls.clusterNodesForProxy(cluster)));
        } else {
            env.add(value("PROXY_REDIS_URL", RedisUrls.forProxy(cluster)));
        }
        env.add(value("PROXY_CLUSTER_ID", Names.clusterId(cluster)));
        env.add(value("PROXY_PLACEMENT", cluster.getSpec().placement.policy.value()));
        env.add(value("PROXY_REGISTER_TTL", cluster.getSpec().registration.ttl));
        // as long as a deleted origin pod keeps serving (its preStop hook): sessions must be off it by then
        env.add(value("PROXY_DRAIN_TIMEOUT", OriginDrainSpec.timeoutSeconds(cluster.getSpec().origins.drain) + "s"));
        env.add(new EnvVarBuilder().withName("PROXY_HLS_TOKEN_KEY").withNewValueFrom().withNewSecretKeyRef()
                .withName(Names.proxySecret(cluster)).withKey(ProxySecretBuilder.HLS_TOKEN_KEY).endSecretKeyRef()
                .endValueFrom().build());
        ProxyAuthSpec auth = spec.auth == null ? new ProxyAuthSpec() : spec.auth;
        env.add(value("PROXY_AUTH", auth.mode));
        env.add(new EnvVarBuilder().withName("PROXY_AUTH_SECRET").withNewValueFrom().withNewSecretKeyRef()
                .withName(Names.proxyAuthSecret(cluster)).withKey(ProxyAuthSecretBuilder.AUTH_SECRET)
                .endSecretKeyRef().endValueFrom().build());
        if (auth.hookUrl != null && !auth.hookUrl.isBlank()) {
            env.add(value("PROXY_AUTH_HOOK_URL", auth.hookUrl));
        }
        env.add(value("PROXY_PUBLISHER_CONFLICT", auth.publisherConflict));
        if (auth.registerAllowedCidrs != null && !auth.registerAllowedCidrs.isBlank()) {
            env.add(value("PROXY_REGISTER_ALLOWED_CIDRS", auth.registerAllowedCidrs));
        }
        if (spec.webrtcCandidate != null && !spec.webrtcCandidate.isBlank()) {
            env.add(value("PROXY_WEBRTC_CANDIDATE", spec.webrtcCandidate));
        }
        env.add(value("PROXY_RTMP_SERVER", Integer.toString(ports.rtmp)));
        env.add(value("PROXY_HTTP_SERVER", Integer.toString(ports.http)));
        env.add(value("PROXY_HTTP_API", Integer.toString(ports.api)));
        env.add(value("PROXY_WEBRTC_SERVER", Integer.toString(ports.webrtc)));
        env.add(value("PROXY_SRT_SERVER", Integer.toString(ports.srt)));
        env.add(value("PROXY_SYSTEM_API", Integer.toString(ports.system)));
        env.add(value("PROXY_RTSP_SERVER", ports.rtsp > 0 ? Integer.toString(ports.rtsp) : "off"));
        if (tlsEnabled(spec)) {
            env.add(value("PROXY_TLS_CERT", TLS_DIR + "/tls.crt"));
            env.add(value("PROXY_TLS_KEY", TLS_DIR + "/tls.key"));
            env.add(value("PROXY_RTMPS_SERVER", portOrOff(spec.tls.rtmps)));
            env.add(value("PROXY_HTTPS_SERVER", portOrOff(spec.tls.https)));
            env.add(value("PROXY_HTTPS_API", portOrOff(spec.tls.httpsApi)));
        }
        return env;
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}

package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.ConfigMapVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginConfig;
import io.origincluster.operator.crd.OriginDrainSpec;
import io.origincluster.operator.crd.OriginsSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The origin pods: labelled with cluster and role, config mounted, Ready only once the RTMP port accepts, and
 * kept alive by a preStop hook for the drain timeout once they are being deleted.
 */
public final class OriginDeploymentBuilder {
    public static final String CONFIG_HASH = "origincluster.io/config-hash";

    private OriginDeploymentBuilder() {
    }

    public static Deployment desired(OriginCluster cluster) {
        OriginsSpec spec = cluster.getSpec().origins;
        OriginConfig config = spec.config;
        boolean userConfigMap = config != null && config.configMapRef != null;
        String configMapName = userConfigMap ? config.configMapRef.getName() : Names.originConfigMap(cluster);
        String configKey = userConfigMap && config.configMapRef.getKey() != null
                ? config.configMapRef.getKey() : SrsOriginConfig.KEY;
        // a changed operator-owned config rolls the pods; a user ConfigMap is the user's to roll
        Map<String, String> podAnnotations = userConfigMap ? Map.of()
                : Map.of(CONFIG_HASH, Names.sha256Hex(OriginConfigMapBuilder.configText(cluster)).substring(0, 16));
        int preStopSeconds = OriginDrainSpec.preStopSeconds(spec.drain);

        Container origin = new ContainerBuilder()
                .withName("origin")
                .withImage(spec.image)
                .withImagePullPolicy(spec.pullPolicy == null ? null : spec.pullPolicy.name())
                .withCommand(spec.command != null && !spec.command.isEmpty() ? spec.command
                        : List.of("./objs/srs", "-c", SrsOriginConfig.MOUNT_DIR + "/" + SrsOriginConfig.KEY))
                .withPorts(ContainerPorts.containerPorts(ContainerPorts.origin(spec.ports)))
                .withEnv(EnvVars.merge(operatorEnv(cluster), spec.env))
                .withResources(spec.resources)
                .withReadinessProbe(tcpProbe("rtmp", 2, 5))
                .withLivenessProbe(tcpProbe("rtmp", 10, 10))
                .addNewVolumeMount().withName("config").withMountPath(SrsOriginConfig.MOUNT_DIR).withReadOnly(true)
                .endVolumeMount()
                // the operator marks the pod draining when its deletionTimestamp appears; the origin must keep
                // serving until the proxies have moved its sessions, so SIGTERM waits for the drain timeout (and
                // the moment the proxies need to hear of it)
                .withNewLifecycle().withNewPreStop().withNewExec()
                .withCommand("sh", "-c", "sleep " + preStopSeconds)
                .endExec().endPreStop().endLifecycle()
                .build();

        return new DeploymentBuilder()
                .withMetadata(Owned.meta(cluster, Names.originDeployment(cluster), Labels.Role.ORIGIN))
                .withNewSpec()
                .withReplicas(spec.replicas)
                .withNewSelector().withMatchLabels(Labels.selector(cluster, Labels.Role.ORIGIN)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(cluster, Labels.Role.ORIGIN)).withAnnotations(podAnnotations)
                .endMetadata()
                .withNewSpec()
                .withContainers(origin)
                // the preStop sleep counts against the grace period: leave the origin time to stop by itself
                .withTerminationGracePeriodSeconds((long) preStopSeconds + OriginDrainSpec.GRACE_MARGIN_SECONDS)
                .withNodeSelector(spec.nodeSelector)
                .withTolerations(spec.tolerations)
                .withAffinity(spec.affinity)
                .addNewVolume().withName("config").withConfigMap(new ConfigMapVolumeSourceBuilder()
                        .withName(configMapName)
                        .withItems(new KeyToPath(configKey, null, SrsOriginConfig.KEY))
                        .build())
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static List<EnvVar> operatorEnv(OriginCluster cluster) {
        List<EnvVar> env = new ArrayList<>();
        String candidate = cluster.getSpec().proxy.webrtcCandidate;
        // the proxy rewrites only the candidate port, so origins must advertise the proxy's address
        env.add(new EnvVarBuilder().withName("CANDIDATE")
                .withValue(candidate == null || candidate.isBlank() ? "*" : candidate).build());
        return env;
    }

    static Probe tcpProbe(String port, int initialDelay, int period) {
        return new ProbeBuilder().withNewTcpSocket().withNewPort(port).endTcpSocket()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).build();
    }
}

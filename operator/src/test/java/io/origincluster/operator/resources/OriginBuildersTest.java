package io.origincluster.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class OriginBuildersTest {
    private final OriginCluster cluster = Clusters.cluster("media", "live", "redis://redis:6379/0");

    @Test
    void generatedConfigTurnsHeartbeatOffAndListensOnTheSpecPorts() {
        cluster.getSpec().origins.ports.rtmp = 19350;
        cluster.getSpec().origins.ports.srt = 0;
        String conf = OriginConfigMapBuilder.desired(cluster).orElseThrow().getData().get(SrsOriginConfig.KEY);
        assertThat(conf).contains("listen 19350;").contains("heartbeat {\n    enabled off;")
                .contains("listen 1985;").contains("listen 8080;").contains("candidate $CANDIDATE;")
                .doesNotContain("srt_server").doesNotContain("enabled on;\n    interval");
    }

    @Test
    void configMapIsOwnedAndCarriesInlineConfigVerbatim() {
        cluster.getSpec().origins.config.inline = "listen 1935;\n";
        ConfigMap cm = OriginConfigMapBuilder.desired(cluster).orElseThrow();
        assertThat(cm.getMetadata().getName()).isEqualTo("live-origin-config");
        assertThat(cm.getData()).containsEntry(SrsOriginConfig.KEY, "listen 1935;\n");
        assertOwned(cm.getMetadata().getOwnerReferences());
    }

    @Test
    void userConfigMapReplacesTheOwnedOneAndIsMounted() {
        cluster.getSpec().origins.config.configMapRef = new ConfigMapKeySelector("nginx.conf", "my-origin-conf", false);
        assertThat(OriginConfigMapBuilder.desired(cluster)).isEmpty();
        Deployment d = OriginDeploymentBuilder.desired(cluster);
        var volume = d.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap();
        assertThat(volume.getName()).isEqualTo("my-origin-conf");
        assertThat(volume.getItems().get(0).getKey()).isEqualTo("nginx.conf");
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey(OriginDeploymentBuilder.CONFIG_HASH);
    }

    @Test
    void originDeploymentFollowsTheSpec() {
        cluster.getSpec().origins.replicas = 5;
        cluster.getSpec().origins.image = "ossrs/srs:7";
        cluster.getSpec().proxy.webrtcCandidate = "203.0.113.7";
        cluster.getSpec().origins.env = List.of(new EnvVar("SRS_LOG_LEVEL", "warn", null));
        Deployment d = OriginDeploymentBuilder.desired(cluster);
        assertThat(d.getMetadata().getName()).isEqualTo("live-origin");
        assertOwned(d.getMetadata().getOwnerReferences());
        assertThat(d.getSpec().getReplicas()).isEqualTo(5);
        assertThat(d.getSpec().getSelector().getMatchLabels())
                .containsEntry(Labels.CLUSTER, "live").containsEntry(Labels.ROLE, "origin").hasSize(2);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("ossrs/srs:7");
        assertThat(c.getCommand()).containsExactly("./objs/srs", "-c", "/etc/origin-cluster/origin.conf");
        assertThat(c.getReadinessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("rtmp");
        assertThat(c.getPorts()).extracting(p -> p.getName() + "/" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("rtmp/1935/TCP", "http/8080/TCP", "api/1985/TCP", "srt/10080/UDP", "rtc/8000/UDP");
        cluster.getSpec().origins.ports.rtsp = 8554;
        assertThat(OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getPorts()).extracting(p -> p.getName() + "/" + p.getContainerPort() + "/" + p.getProtocol())
                .endsWith("rtsp/8554/TCP");
        cluster.getSpec().origins.ports.rtsp = 0;
        assertThat(c.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("CANDIDATE", "203.0.113.7"),
                        org.assertj.core.groups.Tuple.tuple("SRS_LOG_LEVEL", "warn"));
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey(OriginDeploymentBuilder.CONFIG_HASH);
    }

    @Test
    void originPodsKeepServingForTheDrainTimeoutOnceDeleted() {
        var pod = OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand())
                .containsExactly("sh", "-c", "sleep 35");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(50L);

        cluster.getSpec().origins.drain.timeoutSeconds = 120;
        pod = OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand())
                .containsExactly("sh", "-c", "sleep 125");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(140L);

        // a user-supplied command (e.g. nginx-rtmp) gets the same hook; a spec without the section the default
        cluster.getSpec().origins.command = List.of("nginx", "-g", "daemon off;");
        cluster.getSpec().origins.drain = null;
        pod = OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand())
                .containsExactly("sh", "-c", "sleep 35");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(50L);
    }

    @Test
    void configChangeChangesThePodTemplateSoPodsRoll() {
        String before = OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getMetadata()
                .getAnnotations().get(OriginDeploymentBuilder.CONFIG_HASH);
        cluster.getSpec().origins.config.inline = "listen 1936;";
        String after = OriginDeploymentBuilder.desired(cluster).getSpec().getTemplate().getMetadata()
                .getAnnotations().get(OriginDeploymentBuilder.CONFIG_HASH);
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void originServiceIsHeadlessAndSelectsOriginPods() {
        Service s = OriginServiceBuilder.desired(cluster);
        assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(s.getSpec().getSelector()).isEqualTo(Labels.selector(cluster, Labels.Role.ORIGIN));
        assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName)
                .containsExactly("rtmp", "http", "api", "srt", "rtc");
        assertOwned(s.getMetadata().getOwnerReferences());
    }

    static void assertOwned(List<io.fabric8.kubernetes.api.model.OwnerReference> refs) {
        assertThat(refs).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("OriginCluster");
            assertThat(r.getApiVersion()).isEqualTo("origincluster.io/v1alpha1");
            assertThat(r.getName()).isEqualTo("live");
            assertThat(r.getController()).isTrue();
        });
    }
}

package io.origincluster.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Protocol;
import org.junit.jupiter.api.Test;

class PodBackendsTest {
    private final OriginCluster cluster = Clusters.cluster("media", "live", "redis://r");

    @Test
    void onlyReadyRunningPodsWithAnIpAndNoDeletionServe() {
        Pod ready = Clusters.originPod(cluster, "live-origin-a", "10.0.0.5");
        assertThat(PodBackends.isServing(ready)).isTrue();
        assertThat(PodBackends.isServing(Clusters.originPod(cluster, "p", null))).isFalse();
        assertThat(PodBackends.isServing(Clusters.notReady(ready))).isFalse();
        assertThat(PodBackends.isServing(new PodBuilder(ready).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build())).isFalse();
        assertThat(PodBackends.isServing(new PodBuilder(ready).editStatus().withPodIP(null).endStatus().build()))
                .isFalse();
        assertThat(PodBackends.isServing(new PodBuilder(ready).editStatus().withPhase("Pending").endStatus().build()))
                .isFalse();
    }

    @Test
    void aPodBeingDeletedThatStillRunsWithAnIpDrains() {
        Pod ready = Clusters.originPod(cluster, "live-origin-a", "10.0.0.5");
        Pod deleting = new PodBuilder(ready).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
                .endMetadata().build();
        assertThat(PodBackends.isDraining(ready)).isFalse();
        assertThat(PodBackends.isDraining(deleting)).isTrue();
        assertThat(PodBackends.isDraining(Clusters.notReady(deleting))).isTrue();
        assertThat(PodBackends.isDraining(new PodBuilder(deleting).editStatus().withPodIP(null).endStatus().build()))
                .isFalse();
        assertThat(PodBackends.isDraining(new PodBuilder(deleting).editStatus().withPhase("Failed").endStatus()
                .build())).isFalse();
        assertThat(PodBackends.isDraining(new PodBuilder(Clusters.originPod(cluster, "p", null)).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build())).isFalse();
    }

    @Test
    void backendCarriesPodIdentityIpAndSpecPorts() {
        cluster.getSpec().origins.ports.rtmp = 19351;
        cluster.getSpec().origins.ports.rtc = 0;
        cluster.getSpec().origins.maxStreams = 40;
        Pod pod = Clusters.originPod(cluster, "live-origin-a", "10.0.0.5");
        Backend b = PodBackends.backend(cluster, pod);
        assertThat(b.id()).isEqualTo("media/live-origin-a-" + pod.getMetadata().getUid().substring(28));
        assertThat(b.ip()).isEqualTo("10.0.0.5");
        assertThat(b.source()).isEqualTo(BackendSource.KUBERNETES);
        assertThat(b.maxStreams()).isEqualTo(40);
        assertThat(b.labels()).containsEntry("namespace", "media").containsEntry("pod", "live-origin-a")
                .containsEntry("uid", pod.getMetadata().getUid());
        assertThat(b.endpoint(Protocol.RTMP).orElseThrow().port()).isEqualTo(19351);
        assertThat(b.endpoint(Protocol.RTMP).orElseThrow().resolve(b.ip()).getHostString()).isEqualTo("10.0.0.5");
        assertThat(b.endpoint(Protocol.SRT).orElseThrow().transport()).isEqualTo("udp");
        assertThat(b.endpoint(Protocol.RTC)).isEmpty();
        assertThat(b.endpoint(Protocol.RTSP)).as("no RTSP unless the spec names a port").isEmpty();
        cluster.getSpec().origins.ports.rtsp = 8554;
        assertThat(PodBackends.backend(cluster, pod).endpoint(Protocol.RTSP))
                .contains(new io.origincluster.state.Endpoint("tcp", null, 8554));
    }
}

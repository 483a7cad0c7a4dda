package io.origincluster.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.state.StateStore;
import java.net.URI;
import java.util.Set;

/**
 * Where {@link OriginClusterScenario} runs: the CRUD mock API server with simulated pods ({@link MockCluster}) or
 * a real cluster from the kubeconfig ({@link KubeconfigCluster}, profile {@code cluster}).
 */
public interface ClusterUnderTest extends AutoCloseable {

    KubernetesClient client();

    String namespace();

    /** Fills in what depends on the environment: Redis URL, origin ports and images. */
    void prepare(OriginCluster cluster);

    /** Called once the cluster exists: starts whatever stands in for missing controllers. */
    void clusterCreated(OriginCluster cluster);

    /** Waits until the data plane of the cluster runs and can be reached from the test. */
    void proxiesUp(OriginCluster cluster) throws Exception;

    /** The RTMP URL of {@code live/<stream>} through the data plane. */
    String rtmpUrl(String stream);

    /** The data plane's system API (register). */
    URI systemApi();

    /** The cluster's state in Redis, under the operator's cluster id. */
    StateStore store();

    /** Sets spec.origins.replicas through the scale subresource (or what stands in for it; see the implementation). */
    void scaleOrigins(OriginCluster cluster, int replicas);

    /** Names of the origin pods on which {@code live/<stream>} is being published right now. */
    Set<String> podsPublishing(String stream);

    /** Starts an origin that is not managed by Kubernetes (the operator does not know it). */
    ExternalOrigin startExternalOrigin(String id);

    /** An origin outside the operator's control, registered through the register API. */
    interface ExternalOrigin extends AutoCloseable {
        /** The register body, in the form a real SRS heartbeat has. */
        String registerBody();

        /** The backend id the register API derives from that body. */
        String backendId();

        boolean isPublishing(String stream);

        @Override
        void close();
    }
}

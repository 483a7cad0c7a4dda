package io.origincluster.e2e;

import org.junit.jupiter.api.Test;

/**
 * The same scenario as {@link OriginClusterEndToEndTest} on a real cluster from the kubeconfig. Runs only with
 * {@code -Pcluster} (never in CI here: no cluster can run on these machines); see {@link KubeconfigCluster} for
 * what it needs, and docs/kubernetes.md for the command.
 */
class ClusterScenarioIT {

    @Test
    void originClusterLifecycleOnARealCluster() throws Exception {
        try (KubeconfigCluster cluster = new KubeconfigCluster()) {
            new OriginClusterScenario(cluster).run();
        }
    }
}

package io.origincluster.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.origincluster.operator.reconcile.ClusterStores;
import io.origincluster.operator.reconcile.DeletionCostAnnotator;
import io.origincluster.operator.reconcile.EventRecorder;
import io.origincluster.operator.reconcile.OriginClusterReconciler;
import io.origincluster.operator.reconcile.OwnedResources;
import io.origincluster.operator.reconcile.ResourceApplier;
import io.origincluster.operator.registration.LeaseTimings;
import io.origincluster.operator.registration.OriginPodRegistrar;
import io.origincluster.operator.registration.StoreFactory;
import io.origincluster.operator.registration.StoreRegistry;
import java.time.Clock;

/**
 * The operator as an object: the same assembly runs in {@link OperatorMain} and in the whole-operator tests.
 * Primary-resource status is written with JSON merge patch, not server-side apply, so production takes the path
 * the CRUD mock API server can test.
 */
public final class OriginClusterOperator implements AutoCloseable {
    private final Operator operator;
    private final StoreRegistry stores;

    public OriginClusterOperator(KubernetesClient client, OperatorSettings settings, StoreFactory storeFactory) {
        this.stores = new StoreRegistry(storeFactory);
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false);
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                        new LeaderElectionConfiguration(OperatorSettings.LEASE_NAME, settings.leaseNamespace()));
            }
        });
        LeaseTimings timings = LeaseTimings.DEFAULT;
        OriginClusterReconciler reconciler = new OriginClusterReconciler(
                new OwnedResources(new ResourceApplier(client)),
                new ClusterStores(stores),
                new OriginPodRegistrar(timings, Clock.systemUTC()),
                new DeletionCostAnnotator(client),
                new EventRecorder(client),
                timings.resyncEvery(),
                Clock.systemUTC());
        operator.register(reconciler, c -> {
            if (!settings.namespaces().isEmpty()) {
                c.settingNamespaces(settings.namespaces());
            }
        });
    }

    public void start() {
        operator.start();
    }

    public boolean isStarted() {
        return operator.getRuntimeInfo().isStarted();
    }

    public boolean isHealthy() {
        return operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    @Override
    public void close() {
        operator.stop();
        stores.close();
    }
}

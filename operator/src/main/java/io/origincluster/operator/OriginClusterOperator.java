package io.origincluster.operator;

import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.origincluster.operator.reconcile.ClusterStores;
import io.origincluster.operator.reconcile.DeletionCostAnnotator;
import io.origincluster.operator.reconcile.EventRecorder;
import io.origincluster.operator.reconcile.OriginClusterReconciler;
import io.origincluster.operator.reconcile.OwnedResources;
import io.origincluster.operator.reconcile.RegistrationMeters;
import io.origincluster.operator.reconcile.ResourceApplier;
import io.origincluster.operator.registration.LeaseTimings;
import io.origincluster.operator.registration.OriginPodRegistrar;
import io.origincluster.operator.registration.StoreFactory;
import io.origincluster.operator.registration.StoreRegistry;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as an object: the same assembly runs in {@link OperatorMain} and in the whole-operator tests.
 * Primary-resource status is written with JSON merge patch, not server-side apply, so production takes the path
 * the CRUD mock API server can test.
 */
public final class OriginClusterOperator implements AutoCloseable {
    private final Operator operator;
    /**
     * JOSDK's reconciliation metrics, without per-resource series (one set per reconciler, whatever the number of
     * OriginClusters), and the JVM's; {@code /metrics} on the health port.
     */
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final Logger log = LoggerFactory.getLogger(OriginClusterOperator.class);
    private final StoreRegistry stores;
    private volatile boolean closing;
    private volatile boolean started;

    public OriginClusterOperator(KubernetesClient client, OperatorSettings settings, StoreFactory storeFactory) {
        this.stores = new StoreRegistry(storeFactory);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics));
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(settings));
            }
        });
        LeaseTimings timings = new LeaseTimings(LeaseTimings.DEFAULT.ttl(), LeaseTimings.DEFAULT.refreshWhenLeft(),
                settings.resync());
        OriginClusterReconciler reconciler = new OriginClusterReconciler(
                new OwnedResources(new ResourceApplier(client)),
                new ClusterStores(stores),
                new OriginPodRegistrar(timings, Clock.systemUTC()),
                new DeletionCostAnnotator(client),
                new EventRecorder(client),
                timings.resyncEvery(),
                new RegistrationMeters(metrics),
                Clock.systemUTC());
        operator.register(reconciler, c -> {
            if (!settings.namespaces().isEmpty()) {
                c.settingNamespaces(settings.namespaces());
            }
        });
    }

    /**
     * JOSDK's default exits the JVM whenever leadership ends, also during our own orderly stop (where an exit
     * from a shutdown hook would deadlock). Here only a lost lease while running ends the process, so the
     * Deployment restarts it as a follower.
     */
    private LeaderElectionConfiguration leaderElection(OperatorSettings settings) {
        LeaderCallbacks callbacks = new LeaderCallbacks(
                () -> log.info("became leader: reconciling"),
                () -> {
                    if (!closing) {
                        log.error("lost the leader lease: exiting so that only the new leader reconciles");
                        new Thread(() -> System.exit(1), "exit-on-lost-lease").start();
                    }
                },
                leader -> log.atInfo().addKeyValue("leader", leader).log("leader"));
        Duration lease = settings.leaderLease();
        return new LeaderElectionConfiguration(OperatorSettings.LEASE_NAME, settings.leaseNamespace(),
                lease, lease.multipliedBy(2).dividedBy(3), lease.dividedBy(7), settings.identity(), callbacks, false);
    }

    /** The Prometheus text of the operator's meters. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    public void start() {
        operator.start();
        started = true;
    }

    /** Tracked here: JOSDK's own runtime info blocks while {@link Operator#start} is still running. */
    public boolean isStarted() {
        return started;
    }

    /** Alive while starting; once started, only while every informer is healthy. */
    public boolean isHealthy() {
        return !isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    @Override
    public void close() {
        closing = true;
        operator.stop();
        stores.close();
    }
}

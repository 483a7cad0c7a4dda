package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginClusterStatus;
import io.origincluster.operator.registration.OriginPodRegistrar;
import io.origincluster.operator.registration.RegistrationResult;
import io.origincluster.operator.registration.StoreUnavailableException;
import io.origincluster.operator.resources.Labels;
import io.origincluster.operator.resources.Names;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered: every change of the cluster, its owned objects or its origin pods (and a timer) runs the
 * same steps: owned objects to their desired state, origin registrations to the Ready pods, deletion costs to the
 * pin counts, status to what was observed. On deletion the Cleaner purges the cluster's state from Redis.
 */
@ControllerConfiguration(name = OriginClusterReconciler.NAME)
public final class OriginClusterReconciler implements Reconciler<OriginCluster>, Cleaner<OriginCluster> {
    public static final String NAME = "origincluster";
    private static final Logger log = LoggerFactory.getLogger(OriginClusterReconciler.class);
    private static final Duration RETRY_CLEANUP = Duration.ofSeconds(10);

    private final OwnedResources owned;
    private final ClusterStores stores;
    private final OriginPodRegistrar registrar;
    private final DeletionCostAnnotator deletionCost;
    private final EventRecorder events;
    private final Duration resyncEvery;
    private final StoreBackoff storeBackoff;
    private final RegistrationMeters meters;
    private final Clock clock;

    public OriginClusterReconciler(OwnedResources owned, ClusterStores stores, OriginPodRegistrar registrar,
                                   DeletionCostAnnotator deletionCost, EventRecorder events, Duration resyncEvery,
                                   RegistrationMeters meters, Clock clock) {
        this.owned = owned;
        this.stores = stores;
        this.registrar = registrar;
        this.deletionCost = deletionCost;
        this.events = events;
        this.resyncEvery = resyncEvery;
        this.storeBackoff = new StoreBackoff(resyncEvery);
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, OriginCluster>> prepareEventSources(EventSourceContext<OriginCluster> context) {
        return List.of(
                owned(Deployment.class, context),
                owned(Service.class, context),
                owned(ConfigMap.class, context),
                owned(Secret.class, context),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, OriginCluster.class)
                        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.ROLE + "=" + Labels.Role.ORIGIN.value())
                        // origin pods belong to ReplicaSets, not to us: map them back by their cluster label
                        .withSecondaryToPrimaryMapper(pod -> pod.getMetadata().getLabels().containsKey(Labels.CLUSTER)
                                ? Set.of(new ResourceID(pod.getMetadata().getLabels().get(Labels.CLUSTER),
                                        pod.getMetadata().getNamespace()))
                                : Set.of())
                        .build(), context));
    }

    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, OriginCluster> owned(
            Class<R> type, EventSourceContext<OriginCluster> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, OriginCluster.class)
                .withLabelSelector(Labels.MANAGED_SELECTOR).build(), context);
    }

    @Override
    public UpdateControl<OriginCluster> reconcile(OriginCluster cluster, Context<OriginCluster> context) {
        String name = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
        List<String> changes = owned.apply(cluster, context);
        changes.forEach(c -> events.normal(cluster, "Applied", c));

        Set<Pod> pods = context.getSecondaryResources(Pod.class);
        Observation observation = ObservationReader.read(cluster, context, pods);
        RegistrationResult reg = null;
        Duration next = resyncEvery;
        try {
            reg = registrar.sync(cluster, pods, stores.open(cluster, context.getClient()));
            int failedBefore = storeBackoff.succeeded(name);
            if (failedBefore > 0) {
                log.atInfo().addKeyValue("cluster", name).addKeyValue("failedAttempts", failedBefore)
                        .log("state store answers again: origin registrations synced");
            }
            meters.synced(reg.added().size(), reg.removed().size(), reg.drained().size());
            reg.added().forEach(id -> events.normal(cluster, "OriginRegistered", "origin " + id + " is Ready: registered"));
            reg.drained().forEach(id -> events.normal(cluster, "OriginDraining",
                    "origin " + id + " is being deleted: draining, its sessions move to other origins"));
            reg.removed().forEach(id -> events.normal(cluster, "OriginDeregistered",
                    "origin " + id + " is NotReady, stopped or gone: deregistered"));
            deletionCost.annotate(pods, reg.pinsByPod());
            observation = ObservationReader.withRegistration(observation, reg);
        } catch (StoreUnavailableException | ClusterStores.RedisConfigException e) {
            boolean config = e instanceof ClusterStores.RedisConfigException;
            String reason = config ? "RedisConfigInvalid" : "RedisUnavailable";
            observation = observation.withProblem(reason, e.getMessage());
            // Redis down: nothing in the store is touched (no deregistration), retried with backoff; a bad
            // config waits for a spec change or the resync
            boolean first = true;
            if (!config) {
                meters.syncFailed();
                next = storeBackoff.failed(name);
                first = next.equals(StoreBackoff.FIRST);
            }
            (first ? log.atWarn() : log.atDebug()).addKeyValue("cluster", name).addKeyValue("reason", reason)
                    .addKeyValue("retryInMs", next.toMillis())
                    .log("cannot sync origin registrations: {}", e.getMessage());
        }
        logOutcome(name, cluster, changes, reg, observation);
        return statusUpdate(cluster, observation, next);
    }

    private static void logOutcome(String name, OriginCluster cluster, List<String> changes, RegistrationResult reg,
                                   Observation o) {
        List<String> added = reg == null ? List.of() : reg.added();
        List<String> removed = reg == null ? List.of() : reg.removed();
        List<String> drained = reg == null ? List.of() : reg.drained();
        boolean quiet = changes.isEmpty() && added.isEmpty() && removed.isEmpty() && drained.isEmpty();
        var line = quiet ? log.atDebug() : log.atInfo();
        line.addKeyValue("cluster", name).addKeyValue("generation", cluster.getMetadata().getGeneration())
                .addKeyValue("changes", changes).addKeyValue("registered", added).addKeyValue("draining", drained)
                .addKeyValue("deregistered", removed)
                .addKeyValue("originsReady", o.readyOrigins()).addKeyValue("originsRegistered", o.registered())
                .log(quiet ? "reconciled: nothing to change" : "reconciled: brought the cluster to its spec");
    }

    private UpdateControl<OriginCluster> statusUpdate(OriginCluster cluster, Observation observation,
                                                      Duration next) {
        OriginClusterStatus previous = cluster.getStatus();
        OriginClusterStatus status = StatusCalculator.compute(observation, Labels.originSelectorString(cluster),
                previous, clock.instant());
        warnOnNewProblem(cluster, previous, observation);
        if (previous != null && Serialization.asJson(previous).equals(Serialization.asJson(status))) {
            return UpdateControl.<OriginCluster>noUpdate().rescheduleAfter(next);
        }
        cluster.setStatus(status);
        return UpdateControl.patchStatus(cluster).rescheduleAfter(next);
    }

    private void warnOnNewProblem(OriginCluster cluster, OriginClusterStatus previous, Observation o) {
        if (o.problemReason() == null) {
            return;
        }
        boolean wasDegraded = previous != null && previous.conditions.stream().anyMatch(c ->
                StatusCalculator.DEGRADED.equals(c.getType()) && "True".equals(c.getStatus())
                        && o.problemReason().equals(c.getReason()));
        if (!wasDegraded) {
            events.warning(cluster, o.problemReason(), o.problemMessage());
        }
    }

    @Override
    public ErrorStatusUpdateControl<OriginCluster> updateErrorStatus(OriginCluster cluster,
                                                                     Context<OriginCluster> context, Exception e) {
        log.atWarn().addKeyValue("cluster", cluster.getMetadata().getName()).setCause(e)
                .log("reconcile failed, will retry");
        Observation o = ObservationReader.fromStatus(cluster).withProblem("ReconcileError", String.valueOf(e.getMessage()));
        warnOnNewProblem(cluster, cluster.getStatus(), o);
        cluster.setStatus(StatusCalculator.compute(o, Labels.originSelectorString(cluster), cluster.getStatus(),
                clock.instant()));
        return ErrorStatusUpdateControl.patchStatus(cluster);
    }

    @Override
    public DeleteControl cleanup(OriginCluster cluster, Context<OriginCluster> context) {
        String clusterId = Names.clusterId(cluster);
        storeBackoff.succeeded(cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName());
        try {
            registrar.purge(stores.open(cluster, context.getClient()));
            stores.close(cluster);
            log.atInfo().addKeyValue("cluster", clusterId).log("cluster deleted: removed its backends and pins");
            return DeleteControl.defaultDelete();
        } catch (StoreUnavailableException | ClusterStores.RedisConfigException e) {
            stores.close(cluster);
            if (cluster.getSpec().redis.isManaged()) {
                // the managed Redis goes with the cluster, and its data with it
                return DeleteControl.defaultDelete();
            }
            events.warning(cluster, "CleanupFailed", "cannot remove state from Redis: " + e.getMessage());
            log.atWarn().addKeyValue("cluster", clusterId).log("cleanup failed, retrying: {}", e.getMessage());
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY_CLEANUP);
        }
    }
}

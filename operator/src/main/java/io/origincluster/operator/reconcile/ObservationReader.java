package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginClusterStatus;
import io.origincluster.operator.registration.PodBackends;
import io.origincluster.operator.registration.RegistrationResult;
import io.origincluster.operator.resources.Names;
import java.util.Collection;

/** Reads the counts the status reports from the informer caches (never from the spec alone). */
final class ObservationReader {
    private ObservationReader() {
    }

    static Observation read(OriginCluster cluster, Context<OriginCluster> context, Collection<Pod> pods) {
        Deployment origins = deployment(context, Names.originDeployment(cluster));
        Deployment proxies = deployment(context, Names.proxyDeployment(cluster));
        int readyOrigins = (int) pods.stream().filter(PodBackends::isServing).count();
        return new Observation(generation(cluster), cluster.getSpec().origins.replicas, readyOrigins,
                cluster.getSpec().proxy.replicas, readyReplicas(proxies), 0, 0,
                rolledOut(origins) && rolledOut(proxies), null, null);
    }

    static Observation withRegistration(Observation o, RegistrationResult r) {
        return new Observation(o.generation(), o.desiredOrigins(), o.readyOrigins(), o.desiredProxies(),
                o.readyProxies(), r.registered().size(), r.streams(), o.rolledOut(), o.problemReason(),
                o.problemMessage());
    }

    /** When a reconcile failed before observing: keep the last reported counts. */
    static Observation fromStatus(OriginCluster cluster) {
        OriginClusterStatus s = cluster.getStatus() == null ? new OriginClusterStatus() : cluster.getStatus();
        return new Observation(generation(cluster), cluster.getSpec().origins.replicas, s.origins.ready,
                cluster.getSpec().proxy.replicas, s.proxies.ready, s.origins.registered, s.streams, false, null, null);
    }

    private static long generation(OriginCluster cluster) {
        Long g = cluster.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    private static Deployment deployment(Context<OriginCluster> context, String name) {
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }

    private static int readyReplicas(Deployment d) {
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                ? 0 : d.getStatus().getReadyReplicas();
    }

    /** The Deployment controller has seen the latest spec and replaced every old pod. */
    static boolean rolledOut(Deployment d) {
        if (d == null || d.getStatus() == null || d.getStatus().getObservedGeneration() == null) {
            return false;
        }
        Integer updated = d.getStatus().getUpdatedReplicas();
        return d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration()
                && (updated == null ? 0 : updated) >= d.getSpec().getReplicas();
    }
}

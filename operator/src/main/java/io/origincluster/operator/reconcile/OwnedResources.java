package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.resources.ManagedRedisBuilder;
import io.origincluster.operator.resources.Names;
import io.origincluster.operator.resources.OriginConfigMapBuilder;
import io.origincluster.operator.resources.OriginDeploymentBuilder;
import io.origincluster.operator.resources.OriginServiceBuilder;
import io.origincluster.operator.resources.ProxyDeploymentBuilder;
import io.origincluster.operator.resources.ProxyAuthSecretBuilder;
import io.origincluster.operator.resources.ProxySecretBuilder;
import io.origincluster.operator.resources.ProxyServiceBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings every owned object to its desired state, reading the current ones from the informer caches.
 * Returns a human-readable line per object it created or changed (for events and logs).
 */
public final class OwnedResources {
    private final ResourceApplier applier;

    public OwnedResources(ResourceApplier applier) {
        this.applier = applier;
    }

    public List<String> apply(OriginCluster cluster, Context<OriginCluster> context) {
        List<String> changes = new ArrayList<>();
        OriginConfigMapBuilder.desired(cluster).ifPresentOrElse(
                cm -> apply(cm, cached(context, ConfigMap.class, cm.getMetadata().getName()), changes),
                () -> prune(cached(context, ConfigMap.class, Names.originConfigMap(cluster)), changes));
        Deployment origins = OriginDeploymentBuilder.desired(cluster);
        Deployment currentOrigins = cached(context, Deployment.class, origins);
        apply(origins, currentOrigins, changes);
        if (currentOrigins != null && !currentOrigins.getSpec().getReplicas().equals(origins.getSpec().getReplicas())) {
            changes.add("scaled origins " + currentOrigins.getSpec().getReplicas() + " -> "
                    + origins.getSpec().getReplicas());
        }
        Service originService = OriginServiceBuilder.desired(cluster);
        apply(originService, cached(context, Service.class, originService), changes);

        Secret secret = ProxySecretBuilder.desired(cluster);
        if (applier.createIfMissing(secret, cached(context, Secret.class, secret)) == ResourceApplier.Outcome.CREATED) {
            changes.add("created Secret " + secret.getMetadata().getName() + " (HLS token key)");
        }
        Secret authSecret = ProxyAuthSecretBuilder.desired(cluster);
        if (applier.createIfMissing(authSecret, cached(context, Secret.class, authSecret))
                == ResourceApplier.Outcome.CREATED) {
            changes.add("created Secret " + authSecret.getMetadata().getName() + " (stream token secret)");
        }
        Deployment proxies = ProxyDeploymentBuilder.desired(cluster);
        apply(proxies, cached(context, Deployment.class, proxies), changes);
        Service proxyService = ProxyServiceBuilder.desired(cluster);
        apply(proxyService, cached(context, Service.class, proxyService), changes);

        if (cluster.getSpec().redis.isManaged()) {
            Deployment redis = ManagedRedisBuilder.deployment(cluster);
            apply(redis, cached(context, Deployment.class, redis), changes);
            Service redisService = ManagedRedisBuilder.service(cluster);
            apply(redisService, cached(context, Service.class, redisService), changes);
        } else {
            prune(cached(context, Deployment.class, Names.redis(cluster)), changes);
            prune(cached(context, Service.class, Names.redis(cluster)), changes);
        }
        return changes;
    }

    private <T extends HasMetadata> void apply(T desired, T actual, List<String> changes) {
        ResourceApplier.Outcome outcome = applier.apply(desired, actual);
        if (outcome != ResourceApplier.Outcome.UNCHANGED) {
            changes.add(outcome.name().toLowerCase() + " " + desired.getKind() + " " + desired.getMetadata().getName());
        }
    }

    /** An object the spec no longer asks for (managed Redis turned off, config moved to the user's ConfigMap). */
    private void prune(HasMetadata actual, List<String> changes) {
        if (actual != null) {
            applier.delete(actual);
            changes.add("deleted " + actual.getKind() + " " + actual.getMetadata().getName() + " (no longer in spec)");
        }
    }

    static <T extends HasMetadata> T cached(Context<OriginCluster> context, Class<T> type, HasMetadata desired) {
        return cached(context, type, desired.getMetadata().getName());
    }

    /** Only objects this cluster owns are in these caches (owner-reference mapping), never a user's. */
    static <T extends HasMetadata> T cached(Context<OriginCluster> context, Class<T> type, String name) {
        return context.getSecondaryResources(type).stream()
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst().orElse(null);
    }
}

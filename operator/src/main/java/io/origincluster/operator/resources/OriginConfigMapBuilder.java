package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.OriginConfig;
import java.util.Map;
import java.util.Optional;

/** The origin config the operator owns: generated or inline. Empty when the user references their own ConfigMap. */
public final class OriginConfigMapBuilder {
    private OriginConfigMapBuilder() {
    }

    public static Optional<ConfigMap> desired(OriginCluster cluster) {
        OriginConfig config = cluster.getSpec().origins.config;
        if (config != null && config.configMapRef != null) {
            return Optional.empty();
        }
        return Optional.of(new ConfigMapBuilder()
                .withMetadata(Owned.meta(cluster, Names.originConfigMap(cluster), Labels.Role.ORIGIN))
                .withData(Map.of(SrsOriginConfig.KEY, configText(cluster)))
                .build());
    }

    /** The text the origins run with, when the operator owns it. */
    public static String configText(OriginCluster cluster) {
        OriginConfig config = cluster.getSpec().origins.config;
        if (config != null && config.inline != null && !config.inline.isBlank()) {
            return config.inline;
        }
        return SrsOriginConfig.generate(cluster.getSpec().origins.ports);
    }
}

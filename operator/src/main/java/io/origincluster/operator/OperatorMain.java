package io.origincluster.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.origincluster.state.RedisStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar origin-cluster-operator.jar}: runs against the in-cluster config or the current kubeconfig. */
public final class OperatorMain {
    private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

    private OperatorMain() {
    }

    public static void main(String[] args) throws Exception {
        OperatorSettings settings = OperatorSettings.from(System.getenv());
        if (settings.jsonLogs()) {
            io.origincluster.state.logging.JsonLogs.useJsonLines();
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        if (settings.leaderElection() && settings.leaseNamespace() == null) {
            settings = settings.withLeaseNamespace(client.getNamespace());
        }
        OriginClusterOperator operator = new OriginClusterOperator(client, settings, RedisStateStore::connect);
        HealthServer health = new HealthServer(settings.healthPort(), operator::isHealthy, operator::isStarted,
                operator::scrapeMetrics);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            health.close();
            operator.close();
            client.close();
        }, "shutdown"));
        log.atInfo().addKeyValue("master", client.getMasterUrl()).addKeyValue("namespaces",
                        settings.namespaces().isEmpty() ? "all" : settings.namespaces())
                .addKeyValue("leaderElection", settings.leaderElection()).addKeyValue("identity", settings.identity())
                .addKeyValue("healthPort", health.port())
                .log("starting origin-cluster operator");
        operator.start();
    }
}

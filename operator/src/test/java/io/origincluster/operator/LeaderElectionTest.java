package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.state.RedisStateStore;
import io.origincluster.testkit.RedisServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two operator replicas on one API server: one holds the Lease and reconciles; when it stops the other takes over. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
    private static final String NS = "ops";

    KubernetesClient client;
    KubernetesMockServer server;

    private OriginClusterOperator replica(String identity) {
        return new OriginClusterOperator(client, OperatorSettings.from(Map.of("OPERATOR_LEASE_NAMESPACE", NS,
                "OPERATOR_IDENTITY", identity, "OPERATOR_LEADER_LEASE_SECONDS", "3")), RedisStateStore::connect);
    }

    private String holder() {
        var lease = client.leases().inNamespace(NS).withName(OperatorSettings.LEASE_NAME).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private void createCluster(String name, String redisUri) {
        OriginCluster c = Clusters.cluster(NS, name, redisUri);
        c.getMetadata().setUid(null);
        c.getMetadata().setGeneration(null);
        client.resource(c).create();
    }

    private Deployment originDeployment(String cluster) {
        return client.apps().deployments().inNamespace(NS).withName(cluster + "-origin").get();
    }

    @Test
    void aFollowerTakesOverWhenTheLeaderStops() throws Exception {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*")
                        .endResourceRule().withIncomplete(false).endStatus().build())
                .always();
        try (InputStream in = new FileInputStream("../crds/originclusters.origincluster.io-v1.yml")) {
            client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
        }
        try (RedisServer redis = RedisServer.start();
             OriginClusterOperator a = replica("replica-a");
             OriginClusterOperator b = replica("replica-b")) {
            a.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "replica-a".equals(holder()));
            b.start();
            createCluster("one", redis.uri());
            await().atMost(Duration.ofSeconds(10)).until(() -> originDeployment("one") != null);
            assertThat(holder()).isEqualTo("replica-a");

            a.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> "replica-b".equals(holder()));
            createCluster("two", redis.uri());
            await().atMost(Duration.ofSeconds(10)).until(() -> originDeployment("two") != null);
        }
    }
}

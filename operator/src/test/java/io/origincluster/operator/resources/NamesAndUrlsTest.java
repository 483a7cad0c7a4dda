package io.origincluster.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamesAndUrlsTest {

    @Test
    void clusterIdIsNamespaceDotNameAndAlwaysAValidProxyClusterId() {
        assertThat(Names.clusterId(Clusters.cluster("media", "live", "redis://r"))).isEqualTo("media.live");
        String ns = "n".repeat(60);
        String a = Names.clusterId(Clusters.cluster(ns, "cluster-a", "redis://r"));
        String b = Names.clusterId(Clusters.cluster(ns, "cluster-b", "redis://r"));
        assertThat(a).hasSize(63).matches("[A-Za-z0-9._-]{1,63}").isNotEqualTo(b);
    }

    @Test
    void passwordGoesIntoTheAuthority() {
        assertThat(RedisUrls.withPassword("redis://host:6379/0", "p%40ss")).isEqualTo("redis://:p%40ss@host:6379/0");
        assertThat(RedisUrls.withPassword("rediss://user@host:6380", "pw")).isEqualTo("rediss://user:pw@host:6380");
        assertThat(RedisUrls.withPassword("rediss://user:old@host", "pw")).isEqualTo("rediss://user:pw@host");
        assertThat(RedisUrls.withPassword("redis-sentinel://s1:26379,s2:26379/0#mymaster", "pw"))
                .isEqualTo("redis-sentinel://:pw@s1:26379,s2:26379/0#mymaster");
    }

    @Test
    void operatorUrlEncodesThePassword() {
        OriginCluster c = Clusters.cluster("media", "live", "redis://host:6379/0");
        assertThat(RedisUrls.forOperator(c, "p@ss/w")).isEqualTo("redis://:p%40ss%2Fw@host:6379/0");
        assertThat(RedisUrls.forOperator(c, null)).isEqualTo("redis://host:6379/0");
    }

    @Test
    void missingUrlWithoutManagedIsAClearError() {
        OriginCluster c = Clusters.cluster("media", "live", null);
        assertThatThrownBy(() -> RedisUrls.base(c))
                .hasMessageContaining("spec.redis needs url, clusterNodes or managed: true");
    }

    @Test
    void clusterNodesBecomeOneUriPerSeedForTheOperatorAndAListForTheProxies() {
        OriginCluster c = Clusters.cluster("media", "live", null);
        c.getSpec().redis.clusterNodes = List.of("10.0.0.1:6379", "rediss://r2.example:6380", "[fd00::1]:7000");
        assertThat(RedisUrls.clusterNodesForOperator(c, "p@ss w")).containsExactly(
                "redis://:p%40ss%20w@10.0.0.1:6379", "rediss://:p%40ss%20w@r2.example:6380",
                "redis://:p%40ss%20w@[fd00::1]:7000");
        assertThat(RedisUrls.clusterNodesForOperator(c, null)).containsExactly("redis://10.0.0.1:6379",
                "rediss://r2.example:6380", "redis://[fd00::1]:7000");
        assertThat(RedisUrls.clusterNodesForProxy(c))
                .isEqualTo("10.0.0.1:6379,rediss://r2.example:6380,[fd00::1]:7000");
        c.getSpec().redis.clusterNodes = List.of("10.0.0.1");
        assertThatThrownBy(() -> RedisUrls.clusterNodesForOperator(c, null))
                .hasMessageContaining("spec.redis.clusterNodes: '10.0.0.1' is not host:port");
    }
}

package io.origincluster.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
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
        assertThatThrownBy(() -> RedisUrls.base(c)).hasMessageContaining("spec.redis needs url or managed: true");
    }
}

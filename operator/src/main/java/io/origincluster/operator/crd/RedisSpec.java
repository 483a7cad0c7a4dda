package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.List;

/**
 * Where the cluster state lives: an external Redis by URL, an external Redis Cluster by its seed nodes, or a
 * single-instance Redis the operator runs.
 */
@ValidationRule(value = "(has(self.url) ? 1 : 0) + (has(self.managed) && self.managed ? 1 : 0)"
        + " + (has(self.clusterNodes) && size(self.clusterNodes) > 0 ? 1 : 0) == 1",
        message = "set exactly one of url, clusterNodes or managed: true")
@JsonIgnoreProperties(ignoreUnknown = true)
public class RedisSpec {
    @Pattern("^(redis|rediss|redis-sentinel)://.+")
    @JsonPropertyDescription("redis://, rediss:// or redis-sentinel:// URL (Lettuce syntax)")
    public String url;
    @JsonPropertyDescription("Redis Cluster seed nodes (host:port, or rediss://host:port for TLS) instead of url:"
            + " the proxies and the operator use a cluster client; every key of this cluster is in one hash slot")
    public List<String> clusterNodes;
    @JsonPropertyDescription("Secret key holding the Redis password; it is added to the URL (or to every cluster"
            + " node)")
    public SecretKeySelector passwordSecretRef;
    @JsonPropertyDescription("Run a single-instance, non-persistent Redis for development")
    public Boolean managed;
    public String managedImage = "redis:7-alpine";

    public boolean isManaged() {
        return Boolean.TRUE.equals(managed);
    }

    @JsonIgnore // derived from clusterNodes, not a field of the resource
    public boolean isCluster() {
        return clusterNodes != null && !clusterNodes.isEmpty();
    }
}

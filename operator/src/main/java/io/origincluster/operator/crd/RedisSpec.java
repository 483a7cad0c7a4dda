package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/** Where the cluster state lives: an external Redis by URL, or a single-instance Redis the operator runs. */
@ValidationRule(value = "has(self.url) != (has(self.managed) && self.managed)",
        message = "set exactly one of url or managed: true")
@JsonIgnoreProperties(ignoreUnknown = true)
public class RedisSpec {
    @Pattern("^(redis|rediss|redis-sentinel)://.+")
    @JsonPropertyDescription("redis://, rediss:// or redis-sentinel:// URL (Lettuce syntax)")
    public String url;
    @JsonPropertyDescription("Secret key holding the Redis password; it is added to the URL")
    public SecretKeySelector passwordSecretRef;
    @JsonPropertyDescription("Run a single-instance, non-persistent Redis for development")
    public Boolean managed;
    public String managedImage = "redis:7-alpine";

    public boolean isManaged() {
        return Boolean.TRUE.equals(managed);
    }
}

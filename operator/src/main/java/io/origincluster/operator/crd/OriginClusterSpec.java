package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Required;

// a newer CRD may carry fields this operator does not know; they must not stop its informer
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginClusterSpec {
    public OriginsSpec origins = new OriginsSpec();
    public ProxySpec proxy = new ProxySpec();
    @Required
    public RedisSpec redis = new RedisSpec();
    public PlacementSpec placement = new PlacementSpec();
    public RegistrationSpec registration = new RegistrationSpec();
}

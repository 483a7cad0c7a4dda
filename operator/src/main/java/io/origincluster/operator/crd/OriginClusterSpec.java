package io.origincluster.operator.crd;

import io.fabric8.generator.annotation.Required;

public class OriginClusterSpec {
    public OriginsSpec origins = new OriginsSpec();
    public ProxySpec proxy = new ProxySpec();
    @Required
    public RedisSpec redis = new RedisSpec();
    public PlacementSpec placement = new PlacementSpec();
    public RegistrationSpec registration = new RegistrationSpec();
}

package io.origincluster.operator.crd;

import io.fabric8.generator.annotation.Default;
import java.util.Map;

public class ProxyServiceSpec {
    @Default("ClusterIP")
    public ServiceType type = ServiceType.ClusterIP;
    public Map<String, String> annotations;
}

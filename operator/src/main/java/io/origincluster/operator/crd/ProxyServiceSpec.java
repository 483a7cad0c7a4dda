package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Default;
import java.util.Map;

@JsonIgnoreProperties(ignoreUnknown = true)
public class ProxyServiceSpec {
    @Default("ClusterIP")
    public ServiceType type = ServiceType.ClusterIP;
    public Map<String, String> annotations;
}

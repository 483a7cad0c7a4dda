package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

/** The data-plane proxies in front of the origins. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProxySpec {
    @Min(0)
    @Default("2")
    public int replicas = 2;
    @Default("origincluster/dataplane:0.1.0")
    public String image = "origincluster/dataplane:0.1.0";
    public PullPolicy pullPolicy;
    public ResourceRequirements resources;
    public ProxyPorts ports = new ProxyPorts();
    public ProxyServiceSpec service = new ProxyServiceSpec();
    @JsonPropertyDescription("Address clients use to reach the proxy for WebRTC media; also the origins' candidate")
    public String webrtcCandidate;
    public ProxyAuthSpec auth = new ProxyAuthSpec();
    public ProxyTlsSpec tls = new ProxyTlsSpec();
    public List<EnvVar> env;
}

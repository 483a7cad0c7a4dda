package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

/** The media origins (SRS 6/7 by default; any RTMP server whose config the user supplies). */
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginsSpec {
    @SpecReplicas
    @Min(0)
    @Default("2")
    public int replicas = 2;
    @Default("ossrs/srs:6")
    public String image = "ossrs/srs:6";
    public PullPolicy pullPolicy;
    @JsonPropertyDescription("Container command; default runs SRS with the mounted config /etc/origin-cluster/origin.conf")
    public List<String> command;
    public ResourceRequirements resources;
    public OriginPorts ports = new OriginPorts();
    @JsonPropertyDescription("Origin configuration: generated for SRS when empty; or inline text; or a ConfigMap key")
    public OriginConfig config = new OriginConfig();
    public List<EnvVar> env;
    public Map<String, String> nodeSelector;
    public List<Toleration> tolerations;
    public Affinity affinity;
    @Min(0)
    @JsonPropertyDescription("Cap on streams pinned to one origin; 0 = unlimited")
    public int maxStreams;
    @JsonPropertyDescription("Drain of an origin pod that is being deleted (scale-down, rolling update, eviction)")
    public OriginDrainSpec drain = new OriginDrainSpec();
}

package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;

@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginsStatus {
    public int desired;
    @StatusReplicas
    public int ready;
    public int registered;
}

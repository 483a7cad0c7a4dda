package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import java.util.ArrayList;
import java.util.List;

// a newer CRD may carry fields this operator does not know; they must not stop its informer
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginClusterStatus {
    public Long observedGeneration;
    public OriginsStatus origins = new OriginsStatus();
    public ProxiesStatus proxies = new ProxiesStatus();
    public int streams;
    public List<Condition> conditions = new ArrayList<>();
    @LabelSelector
    public String selector;
}

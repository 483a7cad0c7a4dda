package io.origincluster.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import java.util.ArrayList;
import java.util.List;

public class OriginClusterStatus {
    public Long observedGeneration;
    public OriginsStatus origins = new OriginsStatus();
    public ProxiesStatus proxies = new ProxiesStatus();
    public int streams;
    public List<Condition> conditions = new ArrayList<>();
    @LabelSelector
    public String selector;
}

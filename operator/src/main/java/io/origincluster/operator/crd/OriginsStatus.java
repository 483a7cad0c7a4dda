package io.origincluster.operator.crd;

import io.fabric8.kubernetes.model.annotation.StatusReplicas;

public class OriginsStatus {
    public int desired;
    @StatusReplicas
    public int ready;
    public int registered;
}

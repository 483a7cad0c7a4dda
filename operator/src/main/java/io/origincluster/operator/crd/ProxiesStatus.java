package io.origincluster.operator.crd;

public class ProxiesStatus {
    public int desired;
    public int ready;
}

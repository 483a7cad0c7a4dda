package io.origincluster.operator.crd;

public enum ServiceType {
    ClusterIP, NodePort, LoadBalancer
}

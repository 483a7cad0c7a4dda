package io.origincluster.operator.crd;

public enum PullPolicy {
    Always, IfNotPresent, Never
}

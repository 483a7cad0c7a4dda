package io.origincluster.operator.crd;

import io.fabric8.generator.annotation.Default;

public class PlacementSpec {
    @Default("least-pinned")
    public PlacementPolicyName policy = PlacementPolicyName.LEAST_PINNED;
}

package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Default;

@JsonIgnoreProperties(ignoreUnknown = true)
public class PlacementSpec {
    @Default("least-pinned")
    public PlacementPolicyName policy = PlacementPolicyName.LEAST_PINNED;
}

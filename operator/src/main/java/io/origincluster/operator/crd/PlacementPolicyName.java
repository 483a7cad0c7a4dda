package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Spelled like PROXY_PLACEMENT and {@link io.origincluster.state.PlacementPolicy#named}. */
public enum PlacementPolicyName {
    @JsonProperty("least-pinned")
    LEAST_PINNED("least-pinned"),
    @JsonProperty("random")
    RANDOM("random");

    private final String value;

    PlacementPolicyName(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}

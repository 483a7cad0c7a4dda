package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

@JsonIgnoreProperties(ignoreUnknown = true)
public class RegistrationSpec {
    @Pattern("^[0-9]+(ms|s|m|h)$")
    @Default("30s")
    @JsonPropertyDescription("Lease of origins registered through the proxies' register API (PROXY_REGISTER_TTL)")
    public String ttl = "30s";
}

package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;

/** At most one of inline or configMapRef; with neither the operator generates an SRS config. */
@ValidationRule(value = "!(has(self.inline) && has(self.configMapRef))",
        message = "set either inline or configMapRef, not both")
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginConfig {
    public String inline;
    public ConfigMapKeySelector configMapRef;
}

package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class EnvVars {
    private EnvVars() {
    }

    /** Operator-set variables first, then the user's; a user variable replaces an operator one of the same name. */
    static List<EnvVar> merge(List<EnvVar> operatorSet, List<EnvVar> user) {
        Map<String, EnvVar> byName = new LinkedHashMap<>();
        operatorSet.forEach(e -> byName.put(e.getName(), e));
        if (user != null) {
            user.forEach(e -> byName.put(e.getName(), e));
        }
        return new ArrayList<>(byName.values());
    }
}

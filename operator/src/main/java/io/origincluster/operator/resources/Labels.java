package io.origincluster.operator.resources;

import io.origincluster.operator.crd.OriginCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every owned object carries; pods are selected by cluster and role. */
public final class Labels {
    public static final String CLUSTER = "origincluster.io/cluster";
    public static final String ROLE = "origincluster.io/role";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "origin-cluster-operator";
    /** Selects every pod and object this operator manages; used to scope its informers. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

    public enum Role {
        ORIGIN("origin"), PROXY("proxy"), REDIS("redis");

        private final String value;

        Role(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private Labels() {
    }

    /** The pod selector of one role: cluster and role only, so it stays stable across operator upgrades. */
    public static Map<String, String> selector(OriginCluster cluster, Role role) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CLUSTER, cluster.getMetadata().getName());
        m.put(ROLE, role.value());
        return m;
    }

    public static Map<String, String> of(OriginCluster cluster, Role role) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app.kubernetes.io/name", "origin-cluster");
        m.put("app.kubernetes.io/instance", cluster.getMetadata().getName());
        m.put("app.kubernetes.io/component", role.value());
        m.put(MANAGED_BY, OPERATOR);
        m.putAll(selector(cluster, role));
        return m;
    }

    /** The selector string of the scale subresource ({@code status.selector}). */
    public static String originSelectorString(OriginCluster cluster) {
        return CLUSTER + "=" + cluster.getMetadata().getName() + "," + ROLE + "=" + Role.ORIGIN.value();
    }
}

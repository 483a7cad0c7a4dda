package io.origincluster.operator;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's own settings, from the environment.
 *
 * @param namespaces     OPERATOR_NAMESPACES: comma-separated namespaces to watch; empty = all
 * @param leaderElection OPERATOR_LEADER_ELECTION (default true): a Lease decides which replica reconciles
 * @param leaseNamespace OPERATOR_LEASE_NAMESPACE, else POD_NAMESPACE, else the kubeconfig's namespace
 * @param healthPort     OPERATOR_HEALTH_PORT (default 8080) for /healthz and /readyz; 0 = any free port
 */
public record OperatorSettings(Set<String> namespaces, boolean leaderElection, String leaseNamespace,
                               int healthPort) {
    public static final String LEASE_NAME = "origin-cluster-operator";

    public static OperatorSettings from(Map<String, String> env) {
        String ns = env.getOrDefault("OPERATOR_NAMESPACES", "");
        Set<String> namespaces = Arrays.stream(ns.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        String leader = env.getOrDefault("OPERATOR_LEADER_ELECTION", "true").trim();
        if (!leader.equals("true") && !leader.equals("false")) {
            throw new IllegalArgumentException("OPERATOR_LEADER_ELECTION must be true or false, not '" + leader + "'");
        }
        String leaseNs = env.getOrDefault("OPERATOR_LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", ""));
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("OPERATOR_HEALTH_PORT", "8080").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OPERATOR_HEALTH_PORT must be a port number");
        }
        return new OperatorSettings(namespaces, Boolean.parseBoolean(leader), leaseNs.isBlank() ? null : leaseNs, port);
    }
}

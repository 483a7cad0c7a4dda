package io.origincluster.operator;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The operator's own settings, from the environment.
 *
 * @param namespaces     OPERATOR_NAMESPACES: comma-separated namespaces to watch; empty = all
 * @param leaderElection OPERATOR_LEADER_ELECTION (default true): a Lease decides which replica reconciles
 * @param leaseNamespace OPERATOR_LEASE_NAMESPACE, else POD_NAMESPACE, else the kubeconfig's namespace
 * @param healthPort     OPERATOR_HEALTH_PORT (default 8080) for /healthz and /readyz; 0 = any free port
 * @param resync         OPERATOR_RESYNC_SECONDS (default 15): periodic reconcile that refreshes origin leases and
 *                       removes registrations of pods that no longer exist; must stay well below the 60 s lease
 * @param identity       OPERATOR_IDENTITY, else HOSTNAME (the pod name), else random: the Lease holder name
 * @param leaderLease    OPERATOR_LEADER_LEASE_SECONDS (default 15): how long a dead leader blocks a takeover;
 *                       the leader renews well before (2/3 of it) and followers retry every seventh of it
 * @param jsonLogs       OPERATOR_LOG_FORMAT {@code json} (default {@code text}): one JSON object per log line, with
 *                       the keys of the text lines' key=value pairs, as the data plane's PROXY_LOG_FORMAT
 */
public record OperatorSettings(Set<String> namespaces, boolean leaderElection, String leaseNamespace,
                               int healthPort, Duration resync, String identity, Duration leaderLease,
                               boolean jsonLogs) {
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
        int port = integer(env, "OPERATOR_HEALTH_PORT", 8080, 0, 65535);
        int resync = integer(env, "OPERATOR_RESYNC_SECONDS", 15, 1, 40);
        String identity = env.getOrDefault("OPERATOR_IDENTITY", env.getOrDefault("HOSTNAME", "")).trim();
        int lease = integer(env, "OPERATOR_LEADER_LEASE_SECONDS", 15, 3, 300);
        String format = env.getOrDefault("OPERATOR_LOG_FORMAT", "text").trim();
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("OPERATOR_LOG_FORMAT must be text or json, not '" + format + "'");
        }
        return new OperatorSettings(namespaces, Boolean.parseBoolean(leader), leaseNs.isBlank() ? null : leaseNs, port,
                Duration.ofSeconds(resync), identity.isEmpty() ? UUID.randomUUID().toString() : identity,
                Duration.ofSeconds(lease), format.equals("json"));
    }

    public OperatorSettings withLeaseNamespace(String namespace) {
        return new OperatorSettings(namespaces, leaderElection, namespace, healthPort, resync, identity, leaderLease,
                jsonLogs);
    }

    private static int integer(Map<String, String> env, String name, int def, int min, int max) {
        String v = env.getOrDefault(name, Integer.toString(def)).trim();
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be an integer in " + min + ".." + max + ", not '" + v + "'");
    }
}

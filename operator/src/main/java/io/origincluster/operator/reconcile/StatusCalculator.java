package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.origincluster.operator.crd.OriginClusterStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Status from an {@link Observation}: counts, and the Ready / Progressing / Degraded conditions. A condition keeps
 * its lastTransitionTime while its status stays the same, so an unchanged world yields an equal status.
 */
public final class StatusCalculator {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";

    private StatusCalculator() {
    }

    public static OriginClusterStatus compute(Observation o, String selector, OriginClusterStatus previous,
                                              Instant now) {
        OriginClusterStatus s = new OriginClusterStatus();
        s.observedGeneration = o.generation();
        s.origins.desired = o.desiredOrigins();
        s.origins.ready = o.readyOrigins();
        s.origins.registered = o.registered();
        s.proxies.desired = o.desiredProxies();
        s.proxies.ready = o.readyProxies();
        s.streams = o.streams();
        s.selector = selector;
        List<Condition> old = previous == null ? List.of() : previous.conditions;
        s.conditions = List.of(
                transition(old, ready(o), now, o.generation()),
                transition(old, progressing(o), now, o.generation()),
                transition(old, degraded(o), now, o.generation()));
        return s;
    }

    private static Condition ready(Observation o) {
        if (o.problemReason() != null) {
            return condition(READY, false, o.problemReason(), o.problemMessage());
        }
        if (o.readyOrigins() < o.desiredOrigins()) {
            return condition(READY, false, "OriginsNotReady",
                    o.readyOrigins() + " of " + o.desiredOrigins() + " origins ready");
        }
        if (o.readyProxies() < o.desiredProxies()) {
            return condition(READY, false, "ProxiesNotReady",
                    o.readyProxies() + " of " + o.desiredProxies() + " proxies ready");
        }
        if (o.registered() < o.readyOrigins()) {
            return condition(READY, false, "OriginsNotRegistered",
                    o.registered() + " of " + o.readyOrigins() + " ready origins registered");
        }
        return condition(READY, true, "AllReady", o.readyOrigins() + " origins registered, "
                + o.readyProxies() + " proxies ready");
    }

    private static Condition progressing(Observation o) {
        if (!o.rolledOut()) {
            return condition(PROGRESSING, true, "RollingOut", "Deployments are rolling out the latest spec");
        }
        if (o.readyOrigins() != o.desiredOrigins() || o.readyProxies() != o.desiredProxies()) {
            return condition(PROGRESSING, true, "Scaling", "origins " + o.readyOrigins() + "/" + o.desiredOrigins()
                    + ", proxies " + o.readyProxies() + "/" + o.desiredProxies());
        }
        return condition(PROGRESSING, false, "Stable", "nothing to roll out");
    }

    private static Condition degraded(Observation o) {
        return o.problemReason() == null
                ? condition(DEGRADED, false, "AsExpected", "no errors")
                : condition(DEGRADED, true, o.problemReason(), o.problemMessage());
    }

    private static Condition condition(String type, boolean status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).build();
    }

    private static Condition transition(List<Condition> old, Condition next, Instant now, long generation) {
        String since = old.stream()
                .filter(c -> c.getType().equals(next.getType()) && Objects.equals(c.getStatus(), next.getStatus()))
                .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst()
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        next.setLastTransitionTime(since);
        next.setObservedGeneration(generation);
        return next;
    }
}

package io.origincluster.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.origincluster.operator.crd.OriginClusterStatus;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

    private static Map<String, Condition> conditions(OriginClusterStatus s) {
        return s.conditions.stream().collect(Collectors.toMap(Condition::getType, c -> c));
    }

    private static Observation healthy() {
        return new Observation(3, 2, 2, 2, 2, 2, 7, true, null, null);
    }

    @Test
    void healthyClusterIsReadyStableNotDegraded() {
        OriginClusterStatus s = StatusCalculator.compute(healthy(), "sel", null, T0);
        assertThat(s.observedGeneration).isEqualTo(3);
        assertThat(s.origins.desired).isEqualTo(2);
        assertThat(s.origins.ready).isEqualTo(2);
        assertThat(s.origins.registered).isEqualTo(2);
        assertThat(s.proxies.ready).isEqualTo(2);
        assertThat(s.streams).isEqualTo(7);
        assertThat(s.selector).isEqualTo("sel");
        Map<String, Condition> c = conditions(s);
        assertThat(c.get("Ready").getStatus()).isEqualTo("True");
        assertThat(c.get("Ready").getReason()).isEqualTo("AllReady");
        assertThat(c.get("Progressing").getStatus()).isEqualTo("False");
        assertThat(c.get("Degraded").getStatus()).isEqualTo("False");
        assertThat(c.get("Ready").getObservedGeneration()).isEqualTo(3);
    }

    @Test
    void scalingUpIsProgressingAndNotReady() {
        Observation o = new Observation(4, 5, 2, 2, 2, 2, 0, true, null, null);
        Map<String, Condition> c = conditions(StatusCalculator.compute(o, "sel", null, T0));
        assertThat(c.get("Ready").getStatus()).isEqualTo("False");
        assertThat(c.get("Ready").getReason()).isEqualTo("OriginsNotReady");
        assertThat(c.get("Ready").getMessage()).isEqualTo("2 of 5 origins ready");
        assertThat(c.get("Progressing").getReason()).isEqualTo("Scaling");
    }

    @Test
    void rollingOutAndUnregisteredAreReported() {
        Observation o = new Observation(4, 2, 2, 2, 2, 1, 0, false, null, null);
        Map<String, Condition> c = conditions(StatusCalculator.compute(o, "sel", null, T0));
        assertThat(c.get("Ready").getReason()).isEqualTo("OriginsNotRegistered");
        assertThat(c.get("Progressing").getReason()).isEqualTo("RollingOut");
    }

    @Test
    void problemsGoToDegradedWithReasonAndMessage() {
        Observation o = healthy().withProblem("RedisUnavailable", "no answer within 5 s");
        Map<String, Condition> c = conditions(StatusCalculator.compute(o, "sel", null, T0));
        assertThat(c.get("Degraded").getStatus()).isEqualTo("True");
        assertThat(c.get("Degraded").getReason()).isEqualTo("RedisUnavailable");
        assertThat(c.get("Degraded").getMessage()).isEqualTo("no answer within 5 s");
        assertThat(c.get("Ready").getStatus()).isEqualTo("False");
    }

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        OriginClusterStatus first = StatusCalculator.compute(healthy(), "sel", null, T0);
        OriginClusterStatus same = StatusCalculator.compute(healthy(), "sel", first, T1);
        assertThat(conditions(same).get("Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        OriginClusterStatus flipped = StatusCalculator.compute(
                healthy().withProblem("RedisUnavailable", "x"), "sel", same, T1);
        assertThat(conditions(flipped).get("Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:05:00Z");
        assertThat(conditions(flipped).get("Progressing").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    }
}

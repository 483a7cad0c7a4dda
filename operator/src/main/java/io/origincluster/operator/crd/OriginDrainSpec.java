package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How an origin pod that is being deleted hands its sessions over before it stops. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginDrainSpec {
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;
    /**
     * Added to the timeout for the preStop sleep: the proxies start their deadline when they hear of the drain (pod
     * event, reconcile, Redis write, notification), a moment after the hook starts, and must finish before the
     * origin stops.
     */
    public static final int NOTICE_MARGIN_SECONDS = 5;
    /** Added to the preStop sleep for terminationGracePeriodSeconds: the origin's own shutdown after the drain. */
    public static final int GRACE_MARGIN_SECONDS = 15;

    @Min(1)
    @Max(3600)
    @Default("30")
    @JsonPropertyDescription("Seconds a terminating origin keeps serving while the proxies move its sessions to other"
            + " origins: the proxies get it as PROXY_DRAIN_TIMEOUT, the origin's preStop hook sleeps this plus 5"
            + " (the proxies hear of the drain a moment after the pod is deleted), and terminationGracePeriodSeconds"
            + " is that plus 15")
    public int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

    /** How long the origin's preStop hook keeps it serving. */
    public static int preStopSeconds(OriginDrainSpec drain) {
        return timeoutSeconds(drain) + NOTICE_MARGIN_SECONDS;
    }

    /** The timeout of {@code drain}, the default when the section is absent. */
    public static int timeoutSeconds(OriginDrainSpec drain) {
        return drain == null ? DEFAULT_TIMEOUT_SECONDS : drain.timeoutSeconds;
    }
}

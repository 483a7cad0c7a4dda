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
    /** Added to the timeout for terminationGracePeriodSeconds: the origin's own shutdown after the drain. */
    public static final int GRACE_MARGIN_SECONDS = 15;

    @Min(1)
    @Max(3600)
    @Default("30")
    @JsonPropertyDescription("Seconds a terminating origin keeps serving while the proxies move its sessions to other"
            + " origins: its preStop hook sleeps this long, its terminationGracePeriodSeconds is this plus 15, and"
            + " the proxies get it as PROXY_DRAIN_TIMEOUT")
    public int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

    /** The timeout of {@code drain}, the default when the section is absent. */
    public static int timeoutSeconds(OriginDrainSpec drain) {
        return drain == null ? DEFAULT_TIMEOUT_SECONDS : drain.timeoutSeconds;
    }
}

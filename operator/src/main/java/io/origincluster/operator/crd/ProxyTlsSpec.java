package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * TLS listeners of the proxies, from a {@code kubernetes.io/tls} Secret (cert-manager writes one): it is mounted
 * into every proxy, which re-reads it when the kubelet updates the files, so a renewed certificate is served
 * without a restart. The TLS ports open only when {@code secretName} is set; 0 keeps one closed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProxyTlsSpec {
    @JsonPropertyDescription("Secret with tls.crt and tls.key (PEM) for every TLS listener")
    public String secretName;
    @Min(0) @Max(65535)
    @JsonPropertyDescription("PROXY_RTMPS_SERVER port; 0: off")
    public int rtmps = 1936;
    @Min(0) @Max(65535)
    @JsonPropertyDescription("PROXY_HTTPS_SERVER port (HTTPS FLV, TS, HLS, DASH, player pages); 0: off")
    public int https = 8443;
    @Min(0) @Max(65535)
    @JsonPropertyDescription("PROXY_HTTPS_API port (WHIP/WHEP over HTTPS); 0: off")
    public int httpsApi = 1990;

    @JsonIgnore
    public boolean enabled() {
        return secretName != null && !secretName.isBlank();
    }
}

package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Listener ports of the proxy; the Service exposes the same numbers. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProxyPorts {
    @Min(1) @Max(65535)
    public int rtmp = 1935;
    @Min(1) @Max(65535)
    public int http = 8080;
    @Min(1) @Max(65535)
    public int api = 1985;
    @Min(1) @Max(65535)
    public int webrtc = 8000;
    @Min(1) @Max(65535)
    public int srt = 10080;
    @Min(1) @Max(65535)
    public int system = 12025;
    /** The RTSP listener ({@code PROXY_RTSP_SERVER}); 0 turns it off. */
    @Min(0) @Max(65535)
    public int rtsp = 8554;
}

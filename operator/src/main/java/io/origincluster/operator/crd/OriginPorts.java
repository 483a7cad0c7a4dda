package io.origincluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Ports the origin listens on; also the endpoints the operator registers for each origin pod. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class OriginPorts {
    @Min(1) @Max(65535)
    public int rtmp = 1935;
    @Min(1) @Max(65535)
    public int http = 8080;
    @Min(1) @Max(65535)
    public int api = 1985;
    @Min(0) @Max(65535)
    public int srt = 10080;
    @Min(0) @Max(65535)
    public int rtc = 8000;
    /**
     * RTSP, registered as the origin's {@code rtsp} endpoint and exposed as a container port. 0 (the default): the
     * origin gets no RTSP sessions. SRS's generated config has no RTSP server: set it for an image that serves RTSP.
     */
    @Min(0) @Max(65535)
    public int rtsp = 0;
}

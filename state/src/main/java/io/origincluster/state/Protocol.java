package io.origincluster.state;

import java.util.Locale;

/**
 * The endpoint families an origin advertises; names match the keys of SRS's heartbeat body ({@code rtsp} is ours:
 * SRS sends none, so an origin registered by SRS's heartbeat gets no RTSP sessions).
 */
public enum Protocol {
    RTMP, HTTP, API, SRT, RTC, RTSP;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

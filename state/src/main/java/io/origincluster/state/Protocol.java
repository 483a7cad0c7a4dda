package io.origincluster.state;

import java.util.Locale;

/** The endpoint families an origin advertises; names match the keys of SRS's heartbeat body. */
public enum Protocol {
    RTMP, HTTP, API, SRT, RTC;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

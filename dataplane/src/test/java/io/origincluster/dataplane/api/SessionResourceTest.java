package io.origincluster.dataplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionResourceTest {

    @Test
    void roundTripsRelativeAndAbsoluteOriginLocations() {
        String p = SessionResource.rewrite("srs-1/x", "CQ1s:XyVz",
                "/rtc/v1/whip/?action=delete&token=t1&app=live&stream=s");
        assertThat(p).startsWith("/rtc/v1/resource/").doesNotContain("srs-1/x").doesNotContain("CQ1s:XyVz");
        SessionResource r = SessionResource.parse(p);
        assertThat(r.backendId()).isEqualTo("srs-1/x");
        assertThat(r.username()).isEqualTo("CQ1s:XyVz");
        assertThat(r.originPath()).isEqualTo("/rtc/v1/whip/?action=delete&token=t1&app=live&stream=s");

        SessionResource abs = SessionResource.parse(SessionResource.rewrite("b", "u:v", "http://10.0.0.5:1985/whip/r/42"));
        assertThat(abs.originPath()).as("the origin host never survives").isEqualTo("/whip/r/42");
    }

    @Test
    void rejectsBrokenPaths() {
        assertThatThrownBy(() -> SessionResource.parse("/rtc/v1/resource/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionResource.parse("/rtc/v1/resource/YQ/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionResource.parse("/rtc/v1/resource/!!/dQ/x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SessionResource.rewrite("b", "u:v", "relative/path")).isNull();
        assertThat(SessionResource.rewrite("b", "u:v", "http://[bad")).isNull();
    }

    @Test
    void advertisedHostDefaults() {
        AdvertisedHost configured = new AdvertisedHost("media.example.com");
        assertThat(configured.forRequest("127.0.0.1:1985")).isEqualTo("media.example.com");
        AdvertisedHost auto = new AdvertisedHost("");
        assertThat(auto.forRequest("198.51.100.7:1985")).isEqualTo("198.51.100.7");
        assertThat(auto.forRequest("[2001:db8::1]:1985")).isEqualTo("2001:db8::1");
        String machine = auto.forRequest("proxy.example.com");
        assertThat(machine).isNotEqualTo("proxy.example.com").matches("[0-9.]+");
        assertThat(auto.forRequest(null)).isEqualTo(machine);
        assertThat(auto.forRequest("0.0.0.0:80")).isEqualTo(machine);
    }
}

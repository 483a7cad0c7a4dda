package io.origincluster.dataplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionResourceTest {

    @Test
    void theProxyPathCarriesTheUsernameAndASecretAndNothingOfTheOrigin() {
        SessionResource r = SessionResource.create("CQ1s:XyVz");
        assertThat(r.secret()).hasSize(22).isNotEqualTo(SessionResource.create("CQ1s:XyVz").secret());
        String p = r.path();
        assertThat(p).startsWith("/rtc/v1/resource/").doesNotContain("CQ1s:XyVz");
        assertThat(SessionResource.parse(p)).isEqualTo(r);
        assertThat(SessionResource.parse(p + "?x=1")).as("a query is ignored").isEqualTo(r);

        SessionRecord rec = new SessionRecord(SessionKind.WEBRTC, "CQ1s:XyVz", "v/a/s", "b",
                Map.of(SessionResource.SECRET, r.secret()));
        assertThat(r.names(rec)).isTrue();
        assertThat(new SessionResource("CQ1s:XyVz", r.secret() + "x").names(rec)).isFalse();
        assertThat(new SessionResource("other:one", r.secret()).names(rec)).isFalse();
        assertThat(r.names(new SessionRecord(SessionKind.WEBRTC, "CQ1s:XyVz", "v/a/s", "b", Map.of())))
                .as("a record made without a resource").isFalse();
    }

    @Test
    void originLocationsKeepPathAndQueryOnly() {
        assertThat(SessionResource.originPath("/rtc/v1/whip/?action=delete&token=t1&app=live&stream=s"))
                .isEqualTo("/rtc/v1/whip/?action=delete&token=t1&app=live&stream=s");
        assertThat(SessionResource.originPath("http://10.0.0.5:1985/whip/r/42")).as("the origin host never survives")
                .isEqualTo("/whip/r/42");
        assertThat(SessionResource.originPath("relative/path")).isNull();
        assertThat(SessionResource.originPath("http://[bad")).isNull();
    }

    @Test
    void rejectsBrokenPaths() {
        for (String bad : new String[] {"/rtc/v1/resource/", "/rtc/v1/resource/YQ/", "/rtc/v1/resource/!!/abc",
                "/rtc/v1/resource/YQ", "/rtc/v1/resource/YQ/abc/extra", "/other/YQ/abc"}) {
            assertThatThrownBy(() -> SessionResource.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
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

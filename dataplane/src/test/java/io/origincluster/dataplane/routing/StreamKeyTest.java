package io.origincluster.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamKeyTest {

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource(delimiter = '|', value = {
        "rtmp://localhost/live                          | livestream                | __defaultVhost__/live/livestream",
        "rtmp://localhost:1935/live                     | livestream                | __defaultVhost__/live/livestream",
        "rtmp://127.0.0.1:1935/live                     | livestream                | __defaultVhost__/live/livestream",
        "rtmp://192.168.1.10/live                       | livestream                | __defaultVhost__/live/livestream",
        "rtmp://[::1]:1935/live                         | livestream                | __defaultVhost__/live/livestream",
        "rtmp://[2001:db8::5]/live                      | livestream                | __defaultVhost__/live/livestream",
        "rtmp://example.com/live                        | livestream                | example.com/live/livestream",
        "rtmp://Example.COM:19350/live                  | livestream                | example.com/live/livestream",
        "rtmp://user:pw@example.com/live                | livestream                | example.com/live/livestream",
        "rtmp://127.0.0.1/live?vhost=v.example.com      | livestream                | v.example.com/live/livestream",
        "rtmp://127.0.0.1/live?domain=d.example.com     | livestream                | d.example.com/live/livestream",
        "rtmp://example.com/live?token=abc&x=1          | livestream                | example.com/live/livestream",
        "rtmp://127.0.0.1/live                          | livestream?token=abc      | __defaultVhost__/live/livestream",
        "rtmp://127.0.0.1/live                          | livestream?vhost=s.example.org&t=1 | s.example.org/live/livestream",
        "rtmp://127.0.0.1/live?vhost=a.example.com      | livestream?vhost=b.example.com | b.example.com/live/livestream",
        "rtmp://127.0.0.1/live/                         | livestream                | __defaultVhost__/live/livestream",
        "rtmp://127.0.0.1/app/sub                       | livestream                | __defaultVhost__/app/sub/livestream",
    })
    void rtmpTcUrlForms(String tcUrl, String streamName, String expected) {
        assertThat(StreamKey.fromRtmp(tcUrl, streamName).toString()).isEqualTo(expected);
    }

    @Test
    void queryInTcUrlDoesNotSwallowTheStreamName() {
        StreamKey k = StreamKey.fromRtmp("rtmp://origin.example.com:1935/live?token=secret", "camera1?sign=xyz");
        assertThat(k.vhost()).isEqualTo("origin.example.com");
        assertThat(k.app()).isEqualTo("live");
        assertThat(k.stream()).isEqualTo("camera1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "localhost         | __defaultVhost__",
        "localhost:8080    | __defaultVhost__",
        "127.0.0.1         | __defaultVhost__",
        "127.0.0.1:18080   | __defaultVhost__",
        "[::1]:8080        | __defaultVhost__",
        "::1               | __defaultVhost__",
        "origin            | __defaultVhost__",
        "live.example.com  | live.example.com",
        "LIVE.Example.com:443 | live.example.com",
    })
    void vhostRule(String host, String expected) {
        assertThat(StreamKey.vhostOf(host)).isEqualTo(expected);
    }

    @Test
    void noHostMeansDefaultVhost() {
        assertThat(StreamKey.vhostOf(null)).isEqualTo(StreamKey.DEFAULT_VHOST);
        assertThat(StreamKey.vhostOf("")).isEqualTo(StreamKey.DEFAULT_VHOST);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:18080   | /live/livestream.flv     | __defaultVhost__/live/livestream",
        "127.0.0.1:18080   | /live/livestream.m3u8    | __defaultVhost__/live/livestream",
        "127.0.0.1:18080   | /live/livestream.ts      | __defaultVhost__/live/livestream",
        "localhost         | /live/livestream         | __defaultVhost__/live/livestream",
        "example.com       | /live/livestream.flv     | example.com/live/livestream",
        "example.com:8080  | /app/sub/stream.flv      | example.com/app/sub/stream",
        "[::1]:8080        | /live/livestream.flv     | __defaultVhost__/live/livestream",
    })
    void httpPaths(String host, String path, String expected) {
        assertThat(StreamKey.fromHttp(host, path, Map.of()).toString()).isEqualTo(expected);
    }

    @Test
    void httpQueryNamesAppStreamAndVhost() {
        StreamKey whip = StreamKey.fromHttp("127.0.0.1:11985", "/rtc/v1/whip/",
                Map.of("app", List.of("live"), "stream", List.of("livestream"), "token", List.of("t")));
        assertThat(whip.toString()).isEqualTo("__defaultVhost__/live/livestream");
        StreamKey vhost = StreamKey.fromHttp("127.0.0.1", "/live/livestream.flv",
                Map.of("vhost", List.of("v.example.com")));
        assertThat(vhost.toString()).isEqualTo("v.example.com/live/livestream");
    }

    @Test
    void rtmpAndHttpOfOneStreamShareTheKey() {
        assertThat(StreamKey.fromRtmp("rtmp://10.0.0.7:11935/live", "livestream?token=a"))
                .isEqualTo(StreamKey.fromHttp("10.0.0.7:18080", "/live/livestream.flv", Map.of()))
                .isEqualTo(StreamKey.fromHttp("10.0.0.7:18080", "/live/livestream.m3u8", Map.of()))
                .isEqualTo(StreamKey.fromHttp("10.0.0.7:11985", "/rtc/v1/whep/",
                        Map.of("app", List.of("live"), "stream", List.of("livestream"))))
                .isEqualTo(StreamKey.of("", "live", "livestream"));
        assertThat(StreamKey.fromRtmp("rtmp://media.example.com/live", "cam"))
                .isEqualTo(StreamKey.fromHttp("media.example.com:8080", "/live/cam.flv", Map.of()));
        assertThat(StreamKey.fromRtmp("rtmp://127.0.0.1/live?vhost=media.example.com", "cam"))
                .isEqualTo(StreamKey.fromHttp("media.example.com", "/live/cam.m3u8", Map.of()));
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> StreamKey.fromRtmp(null, "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/live", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/live", "?token=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream");
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("app");
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h /live", "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/live", "a\u0000b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/../etc", "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/live", "s#frag")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromRtmp("rtmp://h/live", "x".repeat(600)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromHttp("h", "/livestream.flv", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromHttp("h", "/", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromHttp("h", "/live/../x.flv", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.fromHttp("h", "/live//sub/x.flv", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.of("bad vhost", "live", "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamKey.of("", "", "s")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.origincluster.dataplane.rtmp;

import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.register;
import static io.origincluster.dataplane.rtmp.RtmpProxyHarness.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.TestMedia;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@code PROXY_AUTH=http}: a real ffmpeg publisher allowed or refused by an in-test hook, as SRS's on_publish. */
class RtmpHookAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theHookDecidesWhoPublishes() throws Exception {
        List<JsonNode> calls = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/on_publish", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            calls.add(body);
            ex.sendResponseHeaders(body.path("param").asText().contains("key=good") ? 200 : 403, -1);
            ex.close();
        });
        hook.start();
        try (NginxRtmpOrigin origin = NginxRtmpOrigin.start();
             Dataplane proxy = RtmpProxyHarness.start(Map.of("PROXY_AUTH", "http", "PROXY_AUTH_HOOK_URL",
                     "http://127.0.0.1:" + hook.getAddress().getPort() + "/on_publish"))) {
            register(proxy.store(), "origin-0", origin);
            try (Proc refused = Proc.start("ffmpeg-hook-refused", List.of("ffmpeg", "-v", "error", "-re", "-i",
                    TestMedia.flv().toString(), "-c", "copy", "-f", "flv", url(proxy, "cam?key=bad")))) {
                assertThat(refused.waitFor(20)).as(refused.output()).isNotIn(0, -1);
                assertThat(refused.output()).contains("auth hook answered 403");
            }
            try (Proc pub = Ffmpeg.publishRtmp(url(proxy, "cam?key=good"))) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> origin.isPublishing("cam"));
            }
            JsonNode call = calls.get(0);
            assertThat(call.path("action").asText()).isEqualTo("publish");
            assertThat(call.path("protocol").asText()).isEqualTo("rtmp");
            assertThat(call.path("vhost").asText()).isEqualTo("__defaultVhost__");
            assertThat(call.path("app").asText()).isEqualTo("live");
            assertThat(call.path("stream").asText()).isEqualTo("cam");
            assertThat(call.path("param").asText()).isEqualTo("?key=bad");
            assertThat(call.path("ip").asText()).isEqualTo("127.0.0.1");
            assertThat(calls).hasSize(2);
        } finally {
            hook.stop(0);
        }
    }
}

package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Manifest and segment requests share keep-alive origin connections; an origin that goes away empties the pool. */
class OriginPoolTest {

    private static final Pattern SEGMENT = Pattern.compile("^(seg-\\d+\\.m4s\\?\\S+)$", Pattern.MULTILINE);

    private static List<String> fetchAll(int port, int rounds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            HttpResponse<String> pl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/live/fmp4.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
            statuses.add("playlist " + pl.statusCode());
            Matcher m = SEGMENT.matcher(pl.body());
            while (m.find()) {
                HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/live/" + m.group(1))).build(), HttpResponse.BodyHandlers.ofByteArray());
                statuses.add("segment " + seg.statusCode() + " " + (seg.body().length > 100));
            }
        }
        return statuses;
    }

    @Test
    void requestsReuseOriginConnectionsAndTheyGoWhenTheOriginDoes() throws Exception {
        HlsFileOrigin origin = HlsFileOrigin.start();
        try (Dataplane proxy = ProxyFixture.start(Map.of())) {
            ProxyFixture.registerHttpOrigin(proxy.store(), "files-1", origin.port());
            OriginConnector connector = ((HttpStreamServer) proxy.server("http-stream")).connector();
            List<String> statuses = fetchAll(ProxyFixture.httpPort(proxy), 3);
            assertThat(statuses).hasSizeGreaterThan(6).allMatch(s -> s.equals("playlist 200")
                    || s.equals("segment 200 true"));
            // one client connection stays on one event loop: every request after the first found an idle connection
            assertThat(origin.connections).as("TCP connections the origin saw for %d requests", statuses.size())
                    .hasSize(1);
            assertThat(connector.reusedConnections()).isEqualTo(statuses.size() - 1);
            // the connection goes back to the pool just after the last response was flushed to the client
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> connector.idleConnections() == 1);
            origin.close();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> connector.idleConnections() == 0);
        } finally {
            origin.close();
        }
    }

    @Test
    void poolOffMeansAConnectionPerRequest() throws Exception {
        HlsFileOrigin origin = HlsFileOrigin.start();
        try (Dataplane proxy = ProxyFixture.start(Map.of("PROXY_HTTP_ORIGIN_POOL", "0"))) {
            ProxyFixture.registerHttpOrigin(proxy.store(), "files-1", origin.port());
            List<String> statuses = fetchAll(ProxyFixture.httpPort(proxy), 1);
            assertThat(origin.connections).hasSize(statuses.size());
            assertThat(((HttpStreamServer) proxy.server("http-stream")).connector().idleConnections()).isZero();
        } finally {
            origin.close();
        }
    }
}

package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole system on this machine: operator (in-process), real Redis, real data plane configured from the
 * operator's proxy Deployment, real nginx-rtmp origins run by the kubelet simulator on their own loopback IPs,
 * ffmpeg publishing and ffprobe playing through the data plane. The Kubernetes API is the fabric8 CRUD mock.
 */
class OriginClusterEndToEndTest {

    @Test
    @Timeout(150)
    void originClusterLifecycleWithRealMedia() throws Exception {
        try (MockCluster cluster = new MockCluster("e2e")) {
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cluster.healthPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("operator /readyz").isEqualTo(200);

            OriginClusterScenario scenario = new OriginClusterScenario(cluster);
            scenario.run();

            assertThat(scenario.timings().get("pod delete->s1 on live origin")).isLessThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(scenario.timings().get("scale-down: pod gone->deregistered")).isLessThanOrEqualTo(Duration.ofSeconds(1));
            // the proxy ran with exactly the cluster id the operator registers under
            assertThat(cluster.proxy().env()).containsEntry("PROXY_CLUSTER_ID", "e2e.media")
                    .containsEntry("PROXY_LOAD_BALANCER_TYPE", "redis");
        }
    }
}

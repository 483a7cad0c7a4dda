package io.origincluster.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private static int status(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void probesAnswerFromTheOperatorState() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicBoolean ready = new AtomicBoolean(false);
        try (HealthServer server = new HealthServer(0, healthy::get, ready::get)) {
            assertThat(status(server.port(), "/healthz")).isEqualTo(200);
            assertThat(status(server.port(), "/readyz")).isEqualTo(503);
            ready.set(true);
            healthy.set(false);
            assertThat(status(server.port(), "/readyz")).isEqualTo(200);
            assertThat(status(server.port(), "/healthz")).isEqualTo(503);
        }
    }

    @Test
    void settingsHaveDefaultsAndRejectBadValues() {
        OperatorSettings d = OperatorSettings.from(Map.of());
        assertThat(d.leaderElection()).isTrue();
        assertThat(d.namespaces()).isEmpty();
        assertThat(d.healthPort()).isEqualTo(8080);
        assertThat(d.resync()).isEqualTo(Duration.ofSeconds(15));
        assertThat(d.leaseNamespace()).isNull();
        OperatorSettings s = OperatorSettings.from(Map.of("OPERATOR_NAMESPACES", "a, b", "POD_NAMESPACE", "ops",
                "OPERATOR_LEADER_ELECTION", "false"));
        assertThat(s.namespaces()).containsExactlyInAnyOrder("a", "b");
        assertThat(s.leaseNamespace()).isEqualTo("ops");
        assertThat(s.leaderElection()).isFalse();
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("OPERATOR_RESYNC_SECONDS", "90")))
                .hasMessageContaining("OPERATOR_RESYNC_SECONDS");
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("OPERATOR_LEADER_ELECTION", "yes")))
                .hasMessageContaining("OPERATOR_LEADER_ELECTION");
        assertThat(d.jsonLogs()).isFalse();
        assertThat(OperatorSettings.from(Map.of("OPERATOR_LOG_FORMAT", "json")).jsonLogs()).isTrue();
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("OPERATOR_LOG_FORMAT", "xml")))
                .hasMessageContaining("OPERATOR_LOG_FORMAT");
    }
}

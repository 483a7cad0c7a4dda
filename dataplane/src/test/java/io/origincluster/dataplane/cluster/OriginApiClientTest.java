package io.origincluster.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The poller's HTTP client against origins that answer too much, garbage, nothing, or refuse. */
class OriginApiClientTest {

    private final OriginApiClient client = new OriginApiClient(new ObjectMapper(), Duration.ofMillis(500));

    @Test
    void aBodyOverTheLimitIsCutOffWithAClearError() throws Exception {
        byte[] huge = new byte[OriginApiClient.MAX_BODY + 1024];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '[';
        try (BadOrigins.Fixed big = new BadOrigins.Fixed("application/json", huge)) {
            assertThat(failure("http://127.0.0.1:" + big.port() + "/api/v1/streams/"))
                    .isEqualTo("/api/v1/streams/: reply body over 1048576 bytes");
        }
    }

    @Test
    void garbageSilenceAndRefusalEachSayWhatHappened() throws Exception {
        try (BadOrigins.Fixed junk = BadOrigins.Fixed.garbage(); BadOrigins.Silent silent = new BadOrigins.Silent()) {
            assertThat(failure("http://127.0.0.1:" + junk.port() + "/api/v1/summaries"))
                    .startsWith("/api/v1/summaries: malformed JSON: Unexpected character ('<'");
            long t0 = System.nanoTime();
            assertThat(failure("http://127.0.0.1:" + silent.port() + "/api/v1/summaries"))
                    .isEqualTo("/api/v1/summaries: no answer within 500ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
        }
        int closed = io.origincluster.testkit.Ports.freeTcp();
        assertThat(failure("http://127.0.0.1:" + closed + "/api/v1/summaries"))
                .isEqualTo("/api/v1/summaries: connection refused");
        client.close();
    }

    private String failure(String uri) throws Exception {
        try {
            client.getJson(URI.create(uri)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(BadOriginReply.class);
            return e.getCause().getMessage();
        }
        throw new AssertionError("no failure for " + uri);
    }
}

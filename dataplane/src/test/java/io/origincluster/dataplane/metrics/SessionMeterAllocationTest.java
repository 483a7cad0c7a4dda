package io.origincluster.dataplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Counting relayed bytes is what every relayed packet pays: it must not allocate. */
class SessionMeterAllocationTest {

    @Test
    void countingRelayedBytesAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(bean.isThreadAllocatedMemorySupported()).isTrue();
        SessionMetrics metrics = new SessionMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        SessionMeter meter = metrics.protocol(SessionMetrics.Kind.RTMP).open();
        for (int i = 0; i < 100_000; i++) { // warm up (JIT, adder cells)
            meter.fromClient(1316);
            meter.toClient(1316);
        }
        long tid = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1_000_000; i++) {
            meter.fromClient(1316);
            meter.toClient(1316);
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        // a million packets each way: an allocation per packet would be tens of megabytes
        assertThat(allocated).isLessThan(64 * 1024);
        meter.end(SessionMetrics.Result.OK);
        meter.end(SessionMetrics.Result.CLIENT_ERROR); // counted once
        var registry = (PrometheusMeterRegistry) metrics.protocol(SessionMetrics.Kind.RTMP).registryForTests();
        assertThat(registry.scrape()).contains("origincluster_sessions_total{protocol=\"rtmp\",result=\"ok\"} 1.0")
                .contains("origincluster_sessions_total{protocol=\"rtmp\",result=\"client_error\"} 0.0")
                .contains("origincluster_sessions_active{protocol=\"rtmp\"} 0.0");
    }
}

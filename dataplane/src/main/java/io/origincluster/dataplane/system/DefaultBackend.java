package io.origincluster.dataplane.system;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.config.DefaultBackendSettings;
import io.origincluster.state.Backend;
import io.origincluster.state.BackendSource;
import io.origincluster.state.Protocol;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin configured by {@code PROXY_DEFAULT_BACKEND_*}: registered at start with source DEFAULT and
 * re-registered every third of the lease, so it never lapses (the Go proxy's memory store let it expire after
 * 300 s because its refresh did not update the timestamp). Its id is derived from its address, so every proxy
 * sharing a Redis store refreshes one entry instead of adding its own.
 */
public final class DefaultBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DefaultBackend.class);

    private final Backend backend;
    private final StateStore store;
    private final Duration ttl;
    private ScheduledFuture<?> refresh;

    public DefaultBackend(DefaultBackendSettings settings, StateStore store, Duration ttl) {
        this.store = store;
        this.ttl = ttl;
        this.backend = Backend.of(idFor(settings), settings.ip(), settings.endpoints(), BackendSource.DEFAULT)
                .withLabels(Map.of("source", "PROXY_DEFAULT_BACKEND"));
    }

    static String idFor(DefaultBackendSettings s) {
        int rtmpPort = s.endpoints().get(Protocol.RTMP).get(0).port();
        return "default-" + s.ip().replaceAll("[^A-Za-z0-9.]", "_") + "-" + rtmpPort;
    }

    public Backend backend() {
        return backend;
    }

    /** The first registration; the caller waits for it so a store that does not answer stops start-up. */
    public CompletionStage<Backend> register() {
        return store.register(backend, ttl).whenComplete((b, err) -> {
            if (err == null) {
                log.atInfo().addKeyValue("backend", b.id()).addKeyValue("ip", b.ip())
                        .addKeyValue("endpoints", b.endpoints()).log("default origin registered");
            }
        });
    }

    /** Re-registers every {@code ttl / 3} on {@code executor} (asynchronously, never blocking the loop). */
    public void scheduleRefresh(EventExecutor executor) {
        long every = Math.max(100, ttl.toMillis() / 3);
        refresh = executor.scheduleAtFixedRate(this::refreshOnce, every, every, TimeUnit.MILLISECONDS);
    }

    private void refreshOnce() {
        try {
            store.register(backend, ttl).whenComplete((b, err) -> {
                if (err != null) {
                    log.atWarn().addKeyValue("backend", backend.id())
                            .log("default origin refresh failed: {}", SystemApi.rootMessage(err));
                }
            });
        } catch (RuntimeException e) {
            // a throwing task would cancel the schedule; the next tick must still run
            log.atWarn().addKeyValue("backend", backend.id()).log("default origin refresh failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (refresh != null) {
            refresh.cancel(false);
        }
    }
}

package io.origincluster.dataplane;

import io.origincluster.dataplane.api.HttpApiServer;
import io.origincluster.dataplane.cluster.ClusterPoller;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.config.StateSettings;
import io.origincluster.dataplane.http.HttpStreamServer;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.http.hls.SharedTokenKey;
import io.origincluster.dataplane.metrics.MeteredStateStore;
import io.origincluster.dataplane.metrics.Metrics;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.rtmp.RtmpServer;
import io.origincluster.dataplane.rtsp.RtspServer;
import io.origincluster.dataplane.srt.SrtServer;
import io.origincluster.dataplane.system.DefaultBackend;
import io.origincluster.dataplane.system.SystemApiServer;
import io.origincluster.dataplane.tls.ServerTls;
import io.origincluster.dataplane.tls.TlsTwin;
import io.origincluster.dataplane.webrtc.WebRtcRelayServer;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-plane process as an object: state store, routing core, event loops and every listener. Tests start it
 * in-process with port 0 everywhere; {@link DataplaneMain} wraps it with signals and exit codes.
 */
public final class Dataplane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dataplane.class);

    static {
        // Lettuce (the Redis client) finds io_uring on the classpath now and warns at every client that it keeps
        // epoll; it keeps epoll with this too, minus the warning. Set explicitly, the property wins.
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
    }

    private final ProxyConfig config;
    private final Transports transports;
    private final StateStore store;
    private final RoutingCore routing;
    private final StateStore meteredStore;
    private final AutoCloseable originEvents;
    private final ClusterPoller cluster;
    private final List<ProtocolServer> servers = new ArrayList<>();
    private final Metrics metrics = new Metrics();
    private DefaultBackend defaultBackend;
    private SharedTokenKey sharedTokenKey;
    private ServerTls tls;
    private volatile boolean started;
    private ScheduledFuture<?> sweeper;

    public Dataplane(ProxyConfig config) {
        this(config, createStore(config.state(), config));
    }

    /** With a caller-owned store, e.g. two data planes sharing one in-memory store in a test. */
    public Dataplane(ProxyConfig config, StateStore store) {
        this.config = config;
        this.store = store;
        try {
            // PROXY_IO_TRANSPORT naming a transport that does not work here stops start-up, naming the variable
            this.transports = new Transports(config.transport().choice(),
                    Math.max(2, Runtime.getRuntime().availableProcessors()));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        io.micrometer.core.instrument.Gauge.builder("origincluster.io.transport.info", () -> 1)
                .description("The Netty I/O transport this proxy runs on (PROXY_IO_TRANSPORT), as a label")
                .tag("transport", transports.transport().label()).register(metrics.registry());
        io.micrometer.core.instrument.FunctionCounter.builder("origincluster.log.lines.dropped",
                        io.origincluster.dataplane.logging.DroppingAsyncAppender.class,
                        c -> io.origincluster.dataplane.logging.DroppingAsyncAppender.dropped())
                .description("Log lines dropped because the log queue was full (stdout not read fast enough)")
                .register(metrics.registry());
        // every store call of the routing core and the system API is measured; the raw store stays for sweeping
        this.meteredStore = MeteredStateStore.wrap(store, metrics.registry());
        this.routing = new RoutingCore(meteredStore, config.routing(), config.hitless().drainTimeout());
        metrics.bindMoves(routing.sessions());
        routing.admission(io.origincluster.dataplane.auth.AccessGates.admission(config.auth(), meteredStore,
                transports.workers()));
        this.cluster = new ClusterPoller(config.cluster(), meteredStore, new com.fasterxml.jackson.databind.ObjectMapper(),
                metrics.registry());
        // an origin that leaves takes its per-origin meters with it
        this.originEvents = store.onBackendChange(e -> {
            if (e.type() == io.origincluster.state.BackendEvent.Type.REMOVED) {
                metrics.sessions().originRemoved(e.backendId());
            }
        });
    }

    private static StateStore createStore(StateSettings s, ProxyConfig config) {
        return switch (s.type()) {
            case MEMORY -> new MemoryStateStore(config.routing().policy());
            case REDIS -> s.redisCluster()
                    ? RedisStateStore.connectCluster(s.clusterNodes(), s.clusterId(), config.routing().policy())
                    : RedisStateStore.connect(s.redisUri(), s.clusterId(), config.routing().policy());
        };
    }

    /** Binds every listener in the Go proxy's order; a failed bind stops everything already started. */
    public Dataplane start() throws Exception {
        if (config.defaultBackend().enabled()) {
            // registered before any listener binds (as the Go proxy does); waiting here, off any event loop,
            // makes an unreachable state store stop start-up
            defaultBackend = new DefaultBackend(config.defaultBackend(), store, config.systemApi().registerTtl());
            try {
                defaultBackend.register().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                close();
                throw e;
            }
        }
        HlsToken hlsTokens;
        if (config.http().hlsTokenKeyShared()) {
            // with no PROXY_HLS_TOKEN_KEY every replica on this store signs with one shared key
            try {
                sharedTokenKey = SharedTokenKey.load(store, config.http().hlsTokenRotation(), Duration.ofSeconds(10));
            } catch (Exception e) {
                close();
                throw e;
            }
            hlsTokens = sharedTokenKey.tokens();
        } else {
            hlsTokens = new HlsToken(config.http().hlsTokenKey());
        }
        if (config.tls().enabled()) {
            // a certificate that does not load stops start-up here, naming PROXY_TLS_CERT or PROXY_TLS_KEY
            try {
                tls = ServerTls.start(config.tls());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        SessionMetrics sm = metrics.sessions();
        if (config.metrics().perStream()) {
            sm.streams().enable(config.metrics().maxStreams());
        }
        servers.add(new RtmpServer(config.rtmp(), config.routing(), config.hitless(), routing, transports,
                sm.protocol(SessionMetrics.Kind.RTMP)).withTls(TlsTwin.of(config.tls().rtmpsListen(), tls)));
        WebRtcRelayServer webrtc = new WebRtcRelayServer(config.webrtc(), routing, transports,
                sm.protocol(SessionMetrics.Kind.WEBRTC));
        servers.add(webrtc);
        HttpApiServer httpApi = new HttpApiServer(config.http(), config.webrtc(), routing, webrtc, transports,
                sm.protocol(SessionMetrics.Kind.WEBRTC));
        servers.add(httpApi.withTls(TlsTwin.of(config.tls().httpsApiListen(), tls)));
        servers.add(new SrtServer(config.srt(), routing, transports, sm.protocol(SessionMetrics.Kind.SRT)));
        servers.add(new SystemApiServer(config.systemApi(), transports, meteredStore, metrics, routing, cluster,
                () -> started).withTls(TlsTwin.of(config.tls().httpsSystemApiListen(), tls)));
        servers.add(new HttpStreamServer(config, routing, transports, hlsTokens,
                sm.protocol(SessionMetrics.Kind.HTTP), () -> httpApi.localAddress().getPort())
                .withTls(TlsTwin.of(config.tls().httpsStreamListen(), tls)));
        if (config.rtsp().enabled()) {
            servers.add(new RtspServer(config.rtsp(), config.routing(), routing, transports,
                    sm.protocol(SessionMetrics.Kind.RTSP)));
        }
        try {
            for (ProtocolServer s : servers) {
                try {
                    s.start();
                } catch (Exception e) {
                    throw new java.io.IOException("the " + s.name() + " listener cannot start: " + e.getMessage(), e);
                }
                log.atInfo().addKeyValue("server", s.name()).addKeyValue("listen", s.localAddress())
                        .addKeyValue("tls", s.tlsAddress() == null ? "off" : s.tlsAddress()).log("listening");
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        sweeper = transports.workers().next().scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
        cluster.start(transports.workers().next());
        if (defaultBackend != null) {
            defaultBackend.scheduleRefresh(transports.workers().next());
        }
        if (sharedTokenKey != null) {
            sharedTokenKey.scheduleRefresh(transports.workers().next());
        }
        started = true;
        return this;
    }

    private void sweep() {
        try {
            routing.sweep();
            if (store instanceof MemoryStateStore m) {
                m.sweep();
            }
        } catch (RuntimeException e) {
            log.warn("sweep failed", e);
        }
    }

    public ProxyConfig config() {
        return config;
    }

    public StateStore store() {
        return store;
    }

    public RoutingCore routing() {
        return routing;
    }

    /** The process's meters; protocol servers add theirs to {@code metrics().registry()}. */
    public Metrics metrics() {
        return metrics;
    }

    /** True once every listener is bound (what {@code /readyz} reports besides the state store). */
    public boolean isStarted() {
        return started;
    }

    /** The background poller of the origins' own APIs behind {@code /api/v1/cluster/*}. */
    public ClusterPoller cluster() {
        return cluster;
    }

    public Transports transports() {
        return transports;
    }

    /** The listener called {@code name} (rtmp, http-stream, http-api, webrtc, srt, system-api, rtsp). */
    public ProtocolServer server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no server " + name));
    }

    public int port(String name) {
        return server(name).localAddress().getPort();
    }

    /** The port of the TLS twin of the listener called {@code name} (rtmp, http-stream, http-api, system-api). */
    public int tlsPort(String name) {
        java.net.InetSocketAddress a = server(name).tlsAddress();
        if (a == null) {
            throw new IllegalArgumentException("no TLS listener beside " + name);
        }
        return a.getPort();
    }

    /** The certificate source of the TLS listeners, null when none is on. */
    public ServerTls tls() {
        return tls;
    }

    /** Stops listeners in reverse order, giving sessions the grace timeout, then releases loops and state. */
    public void stop(Duration grace) {
        started = false;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (defaultBackend != null) {
            defaultBackend.close();
        }
        if (sharedTokenKey != null) {
            sharedTokenKey.close();
        }
        cluster.close();
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).stop(grace);
            } catch (RuntimeException e) {
                log.warn("stopping {} failed", servers.get(i).name(), e);
            }
        }
        if (tls != null) {
            tls.close();
        }
        routing.close();
        try {
            originEvents.close();
        } catch (Exception e) {
            log.debug("unsubscribe failed", e);
        }
        transports.close();
        store.close();
        metrics.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(1));
    }
}

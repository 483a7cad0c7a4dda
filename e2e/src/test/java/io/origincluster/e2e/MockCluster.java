package io.origincluster.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceScale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.origincluster.operator.HealthServer;
import io.origincluster.operator.OperatorSettings;
import io.origincluster.operator.OriginClusterOperator;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The whole system on one machine: the fabric8 mock API server in CRUD mode (CRD applied first), a real Redis, the
 * operator in-process (the same {@link OriginClusterOperator} assembly {@code OperatorMain} runs, watching one
 * namespace, no leader election), the kubelet simulator for the origin Deployment, and one proxy pod: the real data
 * plane configured from the operator's proxy Deployment.
 *
 * <p>The mock has no scale subresource (a PUT to {@code /scale} would be stored as the object), so
 * {@link #scaleOrigins} does what the API server does for it: it reads the CRD's {@code specReplicasPath} and
 * writes that field (JSON merge patch). {@link KubeconfigCluster} uses the real subresource.
 */
public final class MockCluster implements ClusterUnderTest {
    static final Path CRD = Path.of("..", "crds", "originclusters.origincluster.io-v1.yml");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The mock web server logs every request through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final String namespace;
    private final RedisServer redis;
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final OriginClusterOperator operator;
    private final HealthServer health;
    private final int rtmpPort = Ports.freeTcp();
    private final int httpPort = Ports.freeTcp();
    private final int apiPort = Ports.freeTcp();
    private KubeletSimulator kubelet;
    private ProxyPod proxy;
    private StateStore store;
    private final boolean gracefulPods;

    public MockCluster(String namespace) throws IOException {
        this(namespace, false);
    }

    /** @param gracefulPods pods terminate as a kubelet does: preStop hook first (see {@link KubeletSimulator}) */
    public MockCluster(String namespace, boolean gracefulPods) throws IOException {
        this.gracefulPods = gracefulPods;
        this.namespace = namespace;
        this.redis = RedisServer.start();
        this.server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        this.client = server.createClient();
        client.apiextensions().v1().customResourceDefinitions()
                .resource(Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class)).create();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(namespace).endMetadata().build()).create();
        this.operator = new OriginClusterOperator(client, OperatorSettings.from(Map.of(
                "OPERATOR_NAMESPACES", namespace, "OPERATOR_LEADER_ELECTION", "false", "OPERATOR_HEALTH_PORT", "0",
                // deletion costs follow pinned streams at each resync; 3 s keeps the scale-down step short
                "OPERATOR_RESYNC_SECONDS", "3")), RedisStateStore::connect);
        this.health = new HealthServer(0, operator::isHealthy, operator::isStarted);
        operator.start();
    }

    /** The operator's /readyz and /healthz port (what the chart's probes call). */
    public int healthPort() {
        return health.port();
    }

    public KubeletSimulator kubelet() {
        return kubelet;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public void prepare(OriginCluster cluster) {
        cluster.getSpec().redis.url = redis.uri();
        cluster.getSpec().origins.ports.rtmp = rtmpPort;
        cluster.getSpec().origins.ports.http = httpPort;
        cluster.getSpec().origins.ports.api = apiPort;
        // nginx-rtmp serves neither SRT nor WebRTC: port 0 turns those endpoints off
        cluster.getSpec().origins.ports.srt = 0;
        cluster.getSpec().origins.ports.rtc = 0;
    }

    @Override
    public void clusterCreated(OriginCluster cluster) {
        kubelet = new KubeletSimulator(client, namespace, Names.originDeployment(cluster), gracefulPods);
        store = RedisStateStore.connect(redis.uri(), Names.clusterId(cluster), PlacementPolicy.named("least-pinned"));
    }

    @Override
    public void proxiesUp(OriginCluster cluster) throws Exception {
        proxy = ProxyPod.start(client, namespace, Names.proxyDeployment(cluster));
    }

    public ProxyPod proxy() {
        return proxy;
    }

    @Override
    public String rtmpUrl(String stream) {
        return proxy.rtmpUrl(stream);
    }

    @Override
    public URI systemApi() {
        return URI.create("http://127.0.0.1:" + proxy.systemApiPort());
    }

    @Override
    public StateStore store() {
        return store;
    }

    @Override
    public void scaleOrigins(OriginCluster cluster, int replicas) {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
                .withName("originclusters.origincluster.io").get();
        CustomResourceSubresourceScale scale = crd.getSpec().getVersions().get(0).getSubresources().getScale();
        if (scale == null) {
            throw new AssertionError("the CRD declares no scale subresource");
        }
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode at = patch;
        String[] path = scale.getSpecReplicasPath().substring(1).split("\\.");
        for (int i = 0; i < path.length - 1; i++) {
            at = at.putObject(path[i]);
        }
        at.put(path[path.length - 1], replicas);
        client.resources(OriginCluster.class).inNamespace(namespace).withName(cluster.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    @Override
    public Set<String> podsPublishing(String stream) {
        Set<String> out = new TreeSet<>();
        kubelet.origins().forEach((pod, origin) -> {
            if (origin.isPublishing(stream)) {
                out.add(pod);
            }
        });
        return out;
    }

    /**
     * nginx-rtmp on 127.0.0.1 with ports of its own, registered with the body a real SRS heartbeat sends (the form
     * of the toolkit's NginxRtmpOrigin.registerBody); the stat page tells at once where a stream is published.
     */
    @Override
    public ExternalOrigin startExternalOrigin(String id) {
        int api = Ports.freeTcp();
        NginxRtmpOrigin origin = NginxRtmpOrigin.start(id, "127.0.0.1", Ports.freeTcp(), Ports.freeTcp(), api);
        String service = "svc" + origin.rtmpPort();
        String pid = Long.toString(origin.pid());
        String body = """
                {"device_id":"%1$s","ip":"127.0.0.1","server":"%1$s","service":"%2$s","pid":"%3$s",\
                "rtmp":["127.0.0.1:%4$d"],"http":["%5$d"],"api":["%6$d"]}""".formatted(id, service, pid,
                origin.rtmpPort(), origin.httpPort(), api);
        return new ExternalOrigin() {
            @Override
            public String registerBody() {
                return body;
            }

            @Override
            public String backendId() {
                // what the register API derives: server-service-pid
                return id + "-" + service + "-" + pid;
            }

            @Override
            public boolean isPublishing(String stream) {
                return origin.isPublishing(stream);
            }

            @Override
            public void close() {
                origin.close();
            }
        };
    }

    @Override
    public void close() {
        closeQuietly(proxy);
        closeQuietly(kubelet);
        closeQuietly(operator);
        closeQuietly(health);
        closeQuietly(store);
        closeQuietly(client);
        server.destroy();
        closeQuietly(redis);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(MockCluster.class).warn("close failed: {}", e.toString());
        }
    }
}

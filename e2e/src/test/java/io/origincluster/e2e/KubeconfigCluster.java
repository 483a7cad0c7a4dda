package io.origincluster.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.origincluster.operator.HealthServer;
import io.origincluster.operator.OperatorSettings;
import io.origincluster.operator.OriginClusterOperator;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.resources.Labels;
import io.origincluster.operator.resources.Names;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real cluster from the current kubeconfig (kind, k3d, minikube or any other), for {@code -Pcluster}. Needs:
 * <ul>
 *   <li>{@code E2E_REDIS_URL}: a Redis reachable from the cluster's pods and from this JVM (e.g. a Redis
 *       Service exposed with a NodePort, or one on the host that the pods can reach);</li>
 *   <li>{@code E2E_PROXY_IMAGE}: the data-plane image built from dataplane/Dockerfile and loadable by the cluster
 *       (e.g. {@code kind load docker-image origincluster/dataplane:0.1.0});</li>
 *   <li>optional {@code E2E_ORIGIN_IMAGE} (default ossrs/srs:6), {@code E2E_NAMESPACE} (default
 *       origin-cluster-e2e, created if missing), {@code E2E_OPERATOR=in-cluster} when the chart's operator
 *       already runs (otherwise the operator runs in this JVM against the cluster);</li>
 *   <li>the CRD applied: {@code kubectl apply --server-side -f crds/}.</li>
 * </ul>
 * Real kubelets run the pods; the data plane and the origins' SRS API are reached through port-forwards, and
 * {@link #scaleOrigins} uses the real scale subresource.
 */
public final class KubeconfigCluster implements ClusterUnderTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final KubernetesClient client = new KubernetesClientBuilder().build();
    private final String namespace = env("E2E_NAMESPACE", "origin-cluster-e2e");
    private final String redisUrl = required("E2E_REDIS_URL");
    private final String proxyImage = required("E2E_PROXY_IMAGE");
    private final String originImage = env("E2E_ORIGIN_IMAGE", "ossrs/srs:6");
    private final Map<String, LocalPortForward> originApis = new ConcurrentHashMap<>();
    private OriginClusterOperator operator;
    private HealthServer health;
    private StateStore store;
    private LocalPortForward rtmp;
    private LocalPortForward system;

    public KubeconfigCluster() throws IOException {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
        if (!"in-cluster".equals(System.getenv("E2E_OPERATOR"))) {
            operator = new OriginClusterOperator(client, OperatorSettings.from(Map.of(
                    "OPERATOR_NAMESPACES", namespace, "OPERATOR_LEADER_ELECTION", "false",
                    "OPERATOR_HEALTH_PORT", "0", "OPERATOR_RESYNC_SECONDS", "3")), RedisStateStore::connect);
            health = new HealthServer(0, operator::isHealthy, operator::isStarted);
            operator.start();
        }
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    private static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " must be set for the cluster profile (see KubeconfigCluster)");
        }
        return v;
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
        cluster.getSpec().redis.url = redisUrl;
        cluster.getSpec().origins.image = originImage;
        cluster.getSpec().proxy.image = proxyImage;
    }

    @Override
    public void clusterCreated(OriginCluster cluster) {
        store = RedisStateStore.connect(redisUrl, Names.clusterId(cluster), PlacementPolicy.named("least-pinned"));
    }

    @Override
    public void proxiesUp(OriginCluster cluster) {
        Pod proxy = Awaitility.await("a Ready proxy pod").atMost(Duration.ofMinutes(3)).until(() ->
                client.pods().inNamespace(namespace).withLabels(Labels.selector(cluster, Labels.Role.PROXY)).list()
                        .getItems().stream().filter(KubeletSimulator::isReady).findFirst().orElse(null),
                p -> p != null);
        var resource = client.pods().inNamespace(namespace).withName(proxy.getMetadata().getName());
        rtmp = resource.portForward(cluster.getSpec().proxy.ports.rtmp);
        system = resource.portForward(cluster.getSpec().proxy.ports.system);
    }

    @Override
    public String rtmpUrl(String stream) {
        return "rtmp://127.0.0.1:" + rtmp.getLocalPort() + "/live/" + stream;
    }

    @Override
    public URI systemApi() {
        return URI.create("http://127.0.0.1:" + system.getLocalPort());
    }

    @Override
    public StateStore store() {
        return store;
    }

    /** The real scale subresource: what {@code kubectl scale originclusters/NAME --replicas=N} does. */
    @Override
    public void scaleOrigins(OriginCluster cluster, int replicas) {
        client.resources(OriginCluster.class).inNamespace(namespace).withName(cluster.getMetadata().getName())
                .scale(replicas);
    }

    /** Asks each origin pod's SRS API (port-forwarded) which streams have an active publisher. */
    @Override
    public Set<String> podsPublishing(String stream) {
        Set<String> out = new TreeSet<>();
        for (Pod p : client.pods().inNamespace(namespace).withLabel(Labels.ROLE, Labels.Role.ORIGIN.value()).list()
                .getItems()) {
            if (KubeletSimulator.isReady(p) && srsPublishing(p.getMetadata().getName(), stream)) {
                out.add(p.getMetadata().getName());
            }
        }
        return out;
    }

    private boolean srsPublishing(String pod, String stream) {
        LocalPortForward api = originApis.computeIfAbsent(pod, n ->
                client.pods().inNamespace(namespace).withName(n).portForward(1985));
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.getLocalPort()
                            + "/api/v1/streams/?count=1000")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            var streams = client.getKubernetesSerialization().unmarshal(body, com.fasterxml.jackson.databind.JsonNode.class)
                    .path("streams");
            for (var s : streams) {
                if (stream.equals(s.path("name").asText()) && "live".equals(s.path("app").asText())
                        && s.path("publish").path("active").asBoolean(false)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A bare SRS pod the operator does not manage, registered by the test like an origin outside Kubernetes. */
    @Override
    public ExternalOrigin startExternalOrigin(String id) {
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(id)
                .addToLabels("app.kubernetes.io/name", "origin-cluster-e2e-external").endMetadata()
                .withNewSpec().addNewContainer().withName("srs").withImage(originImage).endContainer().endSpec()
                .build()).create();
        Pod ready = Awaitility.await("external SRS pod Ready").atMost(Duration.ofMinutes(3)).until(() ->
                client.pods().inNamespace(namespace).withName(id).get(), p -> p != null && KubeletSimulator.isReady(p)
                && p.getStatus().getPodIP() != null);
        String ip = ready.getStatus().getPodIP();
        String body = """
                {"device_id":"%1$s","ip":"%2$s","server":"%1$s","service":"e2e","pid":"1",\
                "rtmp":["1935"],"http":["8080"],"api":["1985"]}""".formatted(id, ip);
        return new ExternalOrigin() {
            @Override
            public String registerBody() {
                return body;
            }

            @Override
            public String backendId() {
                return id + "-e2e-1";
            }

            @Override
            public boolean isPublishing(String stream) {
                return srsPublishing(pod.getMetadata().getName(), stream);
            }

            @Override
            public void close() {
                client.pods().inNamespace(namespace).withName(id).withGracePeriod(0).delete();
            }
        };
    }

    @Override
    public void close() {
        originApis.values().forEach(MockCluster::closeQuietly);
        MockCluster.closeQuietly(rtmp);
        MockCluster.closeQuietly(system);
        MockCluster.closeQuietly(operator);
        MockCluster.closeQuietly(health);
        MockCluster.closeQuietly(store);
        client.resources(OriginCluster.class).inNamespace(namespace).withName("media").delete();
        client.resources(OriginCluster.class).inNamespace(namespace).withName("media").waitUntilCondition(
                c -> c == null, 1, TimeUnit.MINUTES);
        client.close();
    }
}

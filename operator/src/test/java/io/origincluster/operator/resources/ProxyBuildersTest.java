package io.origincluster.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.origincluster.operator.Clusters;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.PlacementPolicyName;
import io.origincluster.operator.crd.ServiceType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProxyBuildersTest {
    private final OriginCluster cluster = Clusters.cluster("media", "live", "redis://redis.db:6379/2");

    private static Map<String, EnvVar> env(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void proxyEnvPointsAtRedisAndTheClusterId() {
        cluster.getSpec().proxy.webrtcCandidate = "203.0.113.7";
        cluster.getSpec().placement.policy = PlacementPolicyName.RANDOM;
        cluster.getSpec().registration.ttl = "45s";
        Map<String, EnvVar> env = env(ProxyDeploymentBuilder.desired(cluster));
        assertThat(env.get("PROXY_LOAD_BALANCER_TYPE").getValue()).isEqualTo("redis");
        assertThat(env.get("PROXY_REDIS_URL").getValue()).isEqualTo("redis://redis.db:6379/2");
        assertThat(env.get("PROXY_CLUSTER_ID").getValue()).isEqualTo("media.live");
        assertThat(env.get("PROXY_WEBRTC_CANDIDATE").getValue()).isEqualTo("203.0.113.7");
        assertThat(env.get("PROXY_PLACEMENT").getValue()).isEqualTo("random");
        assertThat(env.get("PROXY_REGISTER_TTL").getValue()).isEqualTo("45s");
        assertThat(env.get("PROXY_DRAIN_TIMEOUT").getValue()).isEqualTo("30s");
        assertThat(env.get("PROXY_HLS_TOKEN_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("live-proxy");
        assertThat(env.get("PROXY_HLS_TOKEN_KEY").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo(ProxySecretBuilder.HLS_TOKEN_KEY);
        assertThat(env.get("PROXY_RTMP_SERVER").getValue()).isEqualTo("1935");
        assertThat(env.get("PROXY_WEBRTC_SERVER").getValue()).isEqualTo("8000");
        assertThat(env).doesNotContainKey("PROXY_REDIS_PASSWORD");
    }

    @Test
    void proxiesGetTheAuthSettingsAndTheGeneratedTokenSecret() {
        Map<String, EnvVar> env = env(ProxyDeploymentBuilder.desired(cluster));
        assertThat(env.get("PROXY_AUTH").getValue()).isEqualTo("off");
        assertThat(env.get("PROXY_PUBLISHER_CONFLICT").getValue()).isEqualTo("refuse");
        assertThat(env.get("PROXY_AUTH_SECRET").getValueFrom().getSecretKeyRef().getName()).isEqualTo("live-proxy-auth");
        assertThat(env.get("PROXY_AUTH_SECRET").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo(ProxyAuthSecretBuilder.AUTH_SECRET);
        assertThat(env).doesNotContainKeys("PROXY_AUTH_HOOK_URL", "PROXY_REGISTER_ALLOWED_CIDRS");
        cluster.getSpec().proxy.auth.mode = "http";
        cluster.getSpec().proxy.auth.hookUrl = "http://auth.media:8085/check";
        cluster.getSpec().proxy.auth.publisherConflict = "takeover";
        cluster.getSpec().proxy.auth.registerAllowedCidrs = "10.0.0.0/8";
        env = env(ProxyDeploymentBuilder.desired(cluster));
        assertThat(env.get("PROXY_AUTH").getValue()).isEqualTo("http");
        assertThat(env.get("PROXY_AUTH_HOOK_URL").getValue()).isEqualTo("http://auth.media:8085/check");
        assertThat(env.get("PROXY_PUBLISHER_CONFLICT").getValue()).isEqualTo("takeover");
        assertThat(env.get("PROXY_REGISTER_ALLOWED_CIDRS").getValue()).isEqualTo("10.0.0.0/8");
        var a = ProxyAuthSecretBuilder.desired(cluster).getStringData().get(ProxyAuthSecretBuilder.AUTH_SECRET);
        var b = ProxyAuthSecretBuilder.desired(cluster).getStringData().get(ProxyAuthSecretBuilder.AUTH_SECRET);
        assertThat(a).hasSize(64).isNotEqualTo(b);
    }

    @Test
    void aRedisClusterReachesTheProxiesAsClusterNodesWithThePasswordFromItsSecret() {
        cluster.getSpec().redis.url = null;
        cluster.getSpec().redis.clusterNodes = List.of("10.0.0.1:6379", "10.0.0.2:6379");
        cluster.getSpec().redis.passwordSecretRef = new SecretKeySelector("password", "redis-auth", false);
        Map<String, EnvVar> env = env(ProxyDeploymentBuilder.desired(cluster));
        assertThat(env.get("PROXY_REDIS_CLUSTER_NODES").getValue()).isEqualTo("10.0.0.1:6379,10.0.0.2:6379");
        assertThat(env).doesNotContainKey("PROXY_REDIS_URL");
        assertThat(env.get("PROXY_REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("redis-auth");
    }

    @Test
    void proxiesGetTheOriginsDrainTimeout() {
        cluster.getSpec().origins.drain.timeoutSeconds = 90;
        assertThat(env(ProxyDeploymentBuilder.desired(cluster)).get("PROXY_DRAIN_TIMEOUT").getValue())
                .isEqualTo("90s");
        cluster.getSpec().origins.drain = null;
        assertThat(env(ProxyDeploymentBuilder.desired(cluster)).get("PROXY_DRAIN_TIMEOUT").getValue())
                .isEqualTo("30s");
    }

    @Test
    void redisPasswordStaysInItsSecretAndIsExpandedIntoTheUrl() {
        cluster.getSpec().redis.passwordSecretRef = new SecretKeySelector("password", "redis-auth", false);
        Deployment d = ProxyDeploymentBuilder.desired(cluster);
        List<String> names = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(EnvVar::getName).toList();
        assertThat(names.indexOf("PROXY_REDIS_PASSWORD")).isLessThan(names.indexOf("PROXY_REDIS_URL"));
        Map<String, EnvVar> env = env(d);
        assertThat(env.get("PROXY_REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("redis-auth");
        assertThat(env.get("PROXY_REDIS_URL").getValue()).isEqualTo("redis://:$(PROXY_REDIS_PASSWORD)@redis.db:6379/2");
    }

    @Test
    void managedRedisUrlIsTheClusterService() {
        cluster.getSpec().redis.url = null;
        cluster.getSpec().redis.managed = true;
        assertThat(env(ProxyDeploymentBuilder.desired(cluster)).get("PROXY_REDIS_URL").getValue())
                .isEqualTo("redis://live-redis.media.svc:6379/0");
        Deployment redis = ManagedRedisBuilder.deployment(cluster);
        assertThat(redis.getSpec().getReplicas()).isEqualTo(1);
        assertThat(redis.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("redis:7-alpine");
        Service svc = ManagedRedisBuilder.service(cluster);
        assertThat(svc.getMetadata().getName()).isEqualTo("live-redis");
        assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(6379);
        OriginBuildersTest.assertOwned(redis.getMetadata().getOwnerReferences());
    }

    @Test
    void userEnvOverridesOperatorEnv() {
        cluster.getSpec().proxy.env = List.of(new EnvVar("PROXY_PLACEMENT", "least-pinned", null),
                new EnvVar("PROXY_PIN_TTL", "60s", null));
        Map<String, EnvVar> env = env(ProxyDeploymentBuilder.desired(cluster));
        assertThat(env.get("PROXY_PLACEMENT").getValue()).isEqualTo("least-pinned");
        assertThat(env.get("PROXY_PIN_TTL").getValue()).isEqualTo("60s");
    }

    @Test
    void proxyDeploymentFollowsTheSpec() {
        cluster.getSpec().proxy.replicas = 3;
        Deployment d = ProxyDeploymentBuilder.desired(cluster);
        assertThat(d.getMetadata().getName()).isEqualTo("live-proxy");
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry(Labels.ROLE, "proxy");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("origincluster/dataplane:0.1.0");
        assertThat(c.getPorts()).extracting(p -> p.getName() + "/" + p.getProtocol())
                .contains("webrtc/UDP", "srt/UDP", "system/TCP", "rtsp/TCP");
        assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains("PROXY_RTSP_SERVER=8554");
        cluster.getSpec().proxy.ports.rtsp = 0;
        Container off = ProxyDeploymentBuilder.desired(cluster).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(off.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains("PROXY_RTSP_SERVER=off");
        assertThat(off.getPorts()).extracting(p -> p.getName()).doesNotContain("rtsp");
        OriginBuildersTest.assertOwned(d.getMetadata().getOwnerReferences());
    }

    @Test
    void proxyServiceExposesTcpAndUdpButNotTheRegisterApi() {
        cluster.getSpec().proxy.service.type = ServiceType.LoadBalancer;
        cluster.getSpec().proxy.service.annotations = Map.of("lb.example/class", "media");
        Service s = ProxyServiceBuilder.desired(cluster);
        assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(s.getMetadata().getAnnotations()).containsEntry("lb.example/class", "media");
        assertThat(s.getSpec().getPorts()).extracting(p -> p.getName() + "/" + p.getPort() + "/" + p.getProtocol())
                .containsExactly("rtmp/1935/TCP", "http/8080/TCP", "api/1985/TCP", "webrtc/8000/UDP",
                        "srt/10080/UDP", "rtsp/8554/TCP");
        assertThat(s.getSpec().getSelector()).isEqualTo(Labels.selector(cluster, Labels.Role.PROXY));
    }

    @Test
    void aTlsSecretIsMountedAndOpensTheTlsListenersAndTheirServicePorts() {
        Deployment plain = ProxyDeploymentBuilder.desired(cluster);
        assertThat(env(plain)).doesNotContainKeys("PROXY_TLS_CERT", "PROXY_RTMPS_SERVER");
        assertThat(plain.getSpec().getTemplate().getSpec().getVolumes()).isEmpty();

        cluster.getSpec().proxy.tls.secretName = "media-tls";
        cluster.getSpec().proxy.tls.httpsApi = 0;
        Deployment d = ProxyDeploymentBuilder.desired(cluster);
        Map<String, EnvVar> env = env(d);
        assertThat(env.get("PROXY_TLS_CERT").getValue()).isEqualTo("/etc/origincluster/tls/tls.crt");
        assertThat(env.get("PROXY_TLS_KEY").getValue()).isEqualTo("/etc/origincluster/tls/tls.key");
        assertThat(env.get("PROXY_RTMPS_SERVER").getValue()).isEqualTo("1936");
        assertThat(env.get("PROXY_HTTPS_SERVER").getValue()).isEqualTo("8443");
        assertThat(env.get("PROXY_HTTPS_API").getValue()).isEqualTo("off");
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).singleElement().satisfies(v ->
                assertThat(v.getSecret().getSecretName()).isEqualTo("media-tls"));
        assertThat(pod.getContainers().get(0).getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/origincluster/tls");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(ProxyServiceBuilder.desired(cluster).getSpec().getPorts())
                .extracting(p -> p.getName() + "/" + p.getPort()).contains("rtmps/1936", "https/8443")
                .doesNotContain("https-api/1990");
    }

    @Test
    void proxySecretHoldsARandomHlsTokenKey() {
        var a = ProxySecretBuilder.desired(cluster).getStringData().get(ProxySecretBuilder.HLS_TOKEN_KEY);
        var b = ProxySecretBuilder.desired(cluster).getStringData().get(ProxySecretBuilder.HLS_TOKEN_KEY);
        assertThat(a).hasSize(64).isNotEqualTo(b);
    }
}

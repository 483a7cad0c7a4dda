package io.origincluster.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One proxy pod of the operator's proxy Deployment, run in-process: the real {@link Dataplane} configured from the
 * Deployment's container env exactly as the kubelet would resolve it (values, Secret references, {@code $(VAR)}
 * expansion), except the listen addresses, which move to loopback port 0 so tests never collide on ports.
 * Reports the Deployment Ready as the Deployment controller would.
 */
public final class ProxyPod implements AutoCloseable {
    /** Listener variables the operator sets from spec.proxy.ports. */
    static final List<String> LISTENERS = List.of("PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API",
            "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_RTSP_SERVER");
    private static final Pattern REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private final Dataplane dataplane;
    private final Map<String, String> env;

    private ProxyPod(Dataplane dataplane, Map<String, String> env) {
        this.dataplane = dataplane;
        this.env = env;
    }

    public static ProxyPod start(KubernetesClient client, String namespace, String deploymentName) throws Exception {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        if (d == null) {
            throw new IllegalStateException("no Deployment " + namespace + "/" + deploymentName);
        }
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = resolve(client, namespace, c.getEnv());
        Map<String, String> local = new LinkedHashMap<>(env);
        for (String l : LISTENERS) {
            if (!env.containsKey(l)) {
                throw new IllegalStateException("the proxy Deployment does not set " + l);
            }
            local.put(l, "127.0.0.1:0");
        }
        Dataplane dp = new Dataplane(ProxyConfig.from(local)).start();
        Deployment ready = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).editMetadata()
                .withResourceVersion(null).endMetadata()
                .withStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                        .withReplicas(1).withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build())
                .build();
        client.apps().deployments().inNamespace(namespace).resource(ready).patchStatus();
        return new ProxyPod(dp, env);
    }

    /** The container env as the kubelet gives it to the process. */
    static Map<String, String> resolve(KubernetesClient client, String namespace, List<EnvVar> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EnvVar v : vars == null ? List.<EnvVar>of() : vars) {
            String value;
            if (v.getValueFrom() == null) {
                value = expand(v.getValue() == null ? "" : v.getValue(), out);
            } else if (v.getValueFrom().getSecretKeyRef() != null) {
                value = secret(client, namespace, v.getValueFrom().getSecretKeyRef());
            } else {
                throw new IllegalStateException("env " + v.getName() + ": only values and Secret references are "
                        + "simulated, got " + v.getValueFrom());
            }
            out.put(v.getName(), value);
        }
        return out;
    }

    private static String expand(String value, Map<String, String> defined) {
        Matcher m = REF.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            // Kubernetes leaves references to undefined variables as they are
            m.appendReplacement(sb, Matcher.quoteReplacement(defined.getOrDefault(m.group(1), m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String secret(KubernetesClient client, String namespace, SecretKeySelector ref) {
        Secret s = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (s != null && s.getData() != null && s.getData().containsKey(ref.getKey())) {
            return new String(Base64.getDecoder().decode(s.getData().get(ref.getKey())), StandardCharsets.UTF_8);
        }
        // the API server turns stringData into data; the mock keeps stringData as sent
        if (s != null && s.getStringData() != null && s.getStringData().containsKey(ref.getKey())) {
            return s.getStringData().get(ref.getKey());
        }
        if (Boolean.TRUE.equals(ref.getOptional())) {
            return "";
        }
        throw new IllegalStateException("Secret " + ref.getName() + " has no key " + ref.getKey());
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    /** The env the operator gave this proxy (listeners as the Deployment has them). */
    public Map<String, String> env() {
        return env;
    }

    public String rtmpUrl(String stream) {
        return "rtmp://127.0.0.1:" + dataplane.port("rtmp") + "/live/" + stream;
    }

    public int systemApiPort() {
        return dataplane.port("system-api");
    }

    @Override
    public void close() {
        dataplane.close();
    }
}

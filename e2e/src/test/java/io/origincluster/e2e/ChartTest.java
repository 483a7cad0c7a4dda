package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.origincluster.operator.OperatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart, offline: {@code helm lint --strict} and {@code helm template} through helm-java (the Helm library
 * itself), every rendered document parsed into its fabric8 type, and the settings the operator really reads.
 */
class ChartTest {
    static final Path CHART = Path.of("..", "charts", "origin-cluster").toAbsolutePath().normalize();
    static final String CRD_FILE = "originclusters.origincluster.io-v1.yml";

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void chartCrdIsTheGeneratedCrd() throws Exception {
        Path top = CHART.resolve("../../crds").normalize().resolve(CRD_FILE);
        Path inChart = CHART.resolve("crds").resolve(CRD_FILE);
        assertThat(Files.readString(inChart))
                .as("charts/origin-cluster/crds/%s must be a copy of crds/%s (cp crds/%s charts/origin-cluster/crds/)",
                        CRD_FILE, CRD_FILE, CRD_FILE)
                .isEqualTo(Files.readString(top));
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(inChart), CustomResourceDefinition.class);
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("OriginCluster");
    }

    @Test
    void defaultsRenderClusterWideOperator() {
        List<HasMetadata> objects = render(t -> t);
        assertThat(kinds(objects)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ServiceAccount", 1, "ClusterRole", 3, "ClusterRoleBinding", 1, "Role", 1, "RoleBinding", 1,
                "Deployment", 1));
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "Helm")
                .containsEntry("app.kubernetes.io/name", "origin-cluster"));

        Deployment d = one(objects, Deployment.class);
        assertThat(d.getMetadata().getName()).isEqualTo("oc-origin-cluster");
        assertThat(d.getMetadata().getNamespace()).isEqualTo("operators");
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "origin-cluster", "app.kubernetes.io/instance", "oc",
                        "app.kubernetes.io/component", "operator"));
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("origincluster/operator:0.1.0");
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("health");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));

        // the env the chart sets is what the operator's own parser reads
        Map<String, String> env = env(c, "operators");
        OperatorSettings settings = OperatorSettings.from(env);
        assertThat(settings.namespaces()).isEmpty();
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.leaseNamespace()).isEqualTo("operators");
        assertThat(settings.healthPort()).isEqualTo(8080);
        assertThat(settings.resync()).isEqualTo(java.time.Duration.ofSeconds(15));
        assertThat(settings.jsonLogs()).isFalse();
        assertThat(env).containsEntry("OPERATOR_LOG_LEVEL", "INFO")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError");

        ServiceAccount sa = one(objects, ServiceAccount.class);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());

        ClusterRole operatorRole = objects.stream().filter(o -> o instanceof ClusterRole
                        && o.getMetadata().getName().equals("oc-origin-cluster"))
                .map(ClusterRole.class::cast).findFirst().orElseThrow();
        assertOperatorRules(operatorRole.getRules());
        ClusterRoleBinding binding = one(objects, ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(operatorRole.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo("operators");
        });

        Role leases = one(objects, Role.class);
        assertThat(leases.getMetadata().getNamespace()).isEqualTo("operators");
        assertThat(verbs(leases.getRules())).isEqualTo(Map.of("coordination.k8s.io/leases",
                Set.of("get", "list", "watch", "create", "update", "patch")));

        // users get scale through the aggregated edit role, the operator does not need it
        ClusterRole edit = objects.stream().filter(o -> o.getMetadata().getName().endsWith("-edit"))
                .map(ClusterRole.class::cast).findFirst().orElseThrow();
        assertThat(edit.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
        assertThat(verbs(edit.getRules())).containsEntry("origincluster.io/originclusters/scale",
                Set.of("get", "update", "patch"));
    }

    /** Exactly what the operator calls, nothing more: no wildcards, no deletes, pods only patched. */
    private static void assertOperatorRules(List<PolicyRule> rules) {
        assertThat(rules).allSatisfy(r -> {
            assertThat(r.getVerbs()).doesNotContain("*", "delete", "deletecollection");
            assertThat(r.getResources()).doesNotContain("*");
            assertThat(r.getApiGroups()).doesNotContain("*");
        });
        Set<String> rw = Set.of("get", "list", "watch", "create", "patch", "update");
        assertThat(verbs(rules)).isEqualTo(Map.of(
                "origincluster.io/originclusters", Set.of("get", "list", "watch", "patch", "update"),
                "origincluster.io/originclusters/status", Set.of("get", "patch", "update"),
                "origincluster.io/originclusters/finalizers", Set.of("update"),
                "/pods", Set.of("get", "list", "watch", "patch"),
                "apps/deployments", rw,
                "/services", rw,
                "/configmaps", rw,
                "/secrets", rw,
                "/events", Set.of("create", "patch")));
    }

    @Test
    void watchedNamespacesGetRolesNotClusterRoles() {
        List<HasMetadata> objects = render(t -> t.set("watchNamespaces[0]", "media").set("watchNamespaces[1]", "live")
                .set("replicaCount", 2).set("rbac.aggregateToUserRoles", false).set("logLevel", "DEBUG")
                .set("logFormat", "json")
                .set("resyncSeconds", 5));
        assertThat(objects).noneMatch(o -> o instanceof ClusterRole || o instanceof ClusterRoleBinding);
        Map<String, Role> roles = objects.stream().filter(o -> o instanceof Role).map(Role.class::cast)
                .collect(Collectors.toMap(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r -> r));
        assertThat(roles).containsOnlyKeys("media/oc-origin-cluster", "live/oc-origin-cluster",
                "operators/oc-origin-cluster-leader-election");
        assertOperatorRules(roles.get("media/oc-origin-cluster").getRules());
        assertOperatorRules(roles.get("live/oc-origin-cluster").getRules());
        List<RoleBinding> bindings = objects.stream().filter(o -> o instanceof RoleBinding)
                .map(RoleBinding.class::cast).toList();
        assertThat(bindings).hasSize(3).allSatisfy(b -> assertThat(b.getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getNamespace()).isEqualTo("operators")));

        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        Map<String, String> env = env(d.getSpec().getTemplate().getSpec().getContainers().get(0), "operators");
        assertThat(OperatorSettings.from(env).namespaces()).containsExactlyInAnyOrder("media", "live");
        assertThat(OperatorSettings.from(env).resync()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(OperatorSettings.from(env).jsonLogs()).isTrue();
        assertThat(env).containsEntry("OPERATOR_LOG_LEVEL", "DEBUG");
    }

    @Test
    void optionalServiceExposesHealthPort() {
        List<HasMetadata> objects = render(t -> t.set("service.enabled", true).set("health.port", 9090));
        io.fabric8.kubernetes.api.model.Service svc = one(objects, io.fabric8.kubernetes.api.model.Service.class);
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(9090);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("health");
        });
        Deployment d = one(objects, Deployment.class);
        assertThat(svc.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(OperatorSettings.from(env(d.getSpec().getTemplate().getSpec().getContainers().get(0), "operators"))
                .healthPort()).isEqualTo(9090);
    }

    @Test
    void optionalGrafanaDashboardConfigMapCarriesTheDashboardFile() throws Exception {
        assertThat(render(t -> t)).noneMatch(o -> o.getMetadata().getName().endsWith("-dashboard"));
        List<HasMetadata> objects = render(t -> t.set("grafanaDashboard.enabled", true)
                .set("grafanaDashboard.annotations.grafana_folder", "media"));
        io.fabric8.kubernetes.api.model.ConfigMap cm = objects.stream()
                .filter(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard")).findFirst().orElseThrow();
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "media");
        assertThat(cm.getMetadata().getNamespace()).isEqualTo("operators");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        // the ConfigMap holds the dashboard file as it is (what DashboardMetricsTest checks against a real scrape)
        assertThat(json.readTree(cm.getData().get("origin-cluster.json"))).isEqualTo(json.readTree(
                Files.readString(CHART.resolve("dashboards/origin-cluster.json"))));
    }

    @Test
    void optionalPodMonitorScrapesTheProxiesSystemPort() {
        assertThat(render(t -> t)).noneMatch(o -> o.getKind().equals("PodMonitor"));
        List<HasMetadata> objects = render(t -> t.set("podMonitor.enabled", true)
                .set("podMonitor.labels.release", "kube-prometheus-stack").set("podMonitor.interval", "15s"));
        io.fabric8.kubernetes.api.model.GenericKubernetesResource pm = objects.stream()
                .filter(o -> o.getKind().equals("PodMonitor"))
                .map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        assertThat(pm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(pm.getMetadata().getNamespace()).isEqualTo("operators");
        assertThat(pm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(pm.<Boolean>get("spec", "namespaceSelector", "any")).isTrue();
        // the selector and port name are the ones the operator gives proxy pods
        assertThat(pm.<String>get("spec", "selector", "matchLabels", io.origincluster.operator.resources.Labels.ROLE))
                .isEqualTo(io.origincluster.operator.resources.Labels.Role.PROXY.value());
        List<Map<String, Object>> endpoints = pm.get("spec", "podMetricsEndpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("port", "system").containsEntry("path", "/metrics")
                    .containsEntry("interval", "15s").containsEntry("scrapeTimeout", "10s");
        });
        assertThat(io.origincluster.operator.resources.ContainerPorts
                .proxyAll(new io.origincluster.operator.crd.ProxyPorts(), new io.origincluster.operator.crd.ProxyTlsSpec()))
                .as("the proxy container port the PodMonitor names")
                .anySatisfy(p -> assertThat(p.name()).isEqualTo("system"));
        io.fabric8.kubernetes.api.model.GenericKubernetesResource scoped = render(t -> t
                .set("podMonitor.enabled", true).set("watchNamespaces[0]", "media")).stream()
                .filter(o -> o.getKind().equals("PodMonitor"))
                .map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        assertThat(scoped.<List<String>>get("spec", "namespaceSelector", "matchNames")).containsExactly("media");
        assertThatThrownBy(() -> render(t -> t.set("podMonitor.interval", "often")))
                .hasMessageContaining("/podMonitor/interval");
        assertThatThrownBy(() -> render(t -> t.set("podMonitor.scrape", "x"))).hasMessageContaining("podMonitor");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> render(t -> t.set("replicaCount", 2).set("leaderElection.enabled", false)))
                .hasMessageContaining("needs leaderElection.enabled=true");
        assertThatThrownBy(() -> render(t -> t.set("logLevel", "LOUD"))).hasMessageContaining("logLevel");
        assertThatThrownBy(() -> render(t -> t.set("image.pullPolicy", "Sometimes")))
                .hasMessageContaining("pullPolicy");
        assertThatThrownBy(() -> render(t -> t.set("watchNamespaces[0]", "Not_A_Namespace")))
                .hasMessageContaining("watchNamespaces");
        assertThatThrownBy(() -> render(t -> t.set("replicas", 3))).hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(t -> t.set("resyncSeconds", 60))).hasMessageContaining("resyncSeconds");
    }

    static List<HasMetadata> render(UnaryOperator<TemplateCommand> options) {
        String yaml = options.apply(new Helm(CHART).template().withName("oc").withNamespace("operators")
                .withKubeVersion("1.30.0").skipCrds())
                .call();
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            String body = doc.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n")).trim();
            if (body.isEmpty()) {
                continue;
            }
            Object parsed = Serialization.unmarshal(body);
            assertThat(parsed).as("document parses into a Kubernetes object:\n%s", body)
                    .isInstanceOf(HasMetadata.class);
            if (!((HasMetadata) parsed).getApiVersion().startsWith("monitoring.coreos.com/")) {
                // Prometheus Operator kinds have no model on this classpath; everything else must be typed
                assertThat(parsed).as("document parses into a typed Kubernetes object:\n%s", body)
                        .isNotInstanceOf(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
            }
            out.add((HasMetadata) parsed);
        }
        return out;
    }

    private static Map<String, Integer> kinds(List<HasMetadata> objects) {
        Map<String, Integer> m = new TreeMap<>();
        objects.forEach(o -> m.merge(o.getKind(), 1, Integer::sum));
        return m;
    }

    private static <T> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    /** group/resource to verbs. */
    private static Map<String, Set<String>> verbs(List<PolicyRule> rules) {
        Map<String, Set<String>> m = new HashMap<>();
        for (PolicyRule r : rules) {
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    m.computeIfAbsent(g + "/" + res, k -> new TreeSet<>()).addAll(r.getVerbs());
                }
            }
        }
        return m;
    }

    /** The container env as the kubelet would give it (downward-API namespace resolved). */
    private static Map<String, String> env(Container c, String namespace) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() != null) {
                assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
                env.put(e.getName(), namespace);
            } else {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }
}

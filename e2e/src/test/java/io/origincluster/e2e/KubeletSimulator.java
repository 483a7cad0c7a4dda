package io.origincluster.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.origincluster.testkit.NginxRtmpOrigin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the ReplicaSet controller and the kubelet of one Deployment on the mock API server (which runs no
 * controllers): keeps as many pods as the Deployment asks for, runs a real nginx-rtmp per pod on the pod's own
 * loopback IP with the container's named ports (rtmp, http, api), marks a pod Ready once its rtmp port accepts (the
 * origin's tcpSocket readiness probe), stops the process when the pod is deleted, and reports the Deployment's
 * status. Scale-down picks victims as the ReplicaSet controller does: not-ready pods first, then the lowest
 * {@code controller.kubernetes.io/pod-deletion-cost}, then the newest.
 *
 * <p>Termination: by default a deleted pod's process stops at once (a force delete, a node that died). With
 * {@code graceful} the simulator terminates pods as a kubelet does: its pods carry a finalizer, so a delete only
 * sets the deletionTimestamp; the container's preStop hook runs ({@code sh -c "sleep N"} is honoured as N seconds),
 * then the process stops and the finalizer goes, and the API server removes the pod.
 */
public final class KubeletSimulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubeletSimulator.class);
    static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
    static final String KUBELET_FINALIZER = "e2e.origincluster.io/kubelet";
    private static final java.util.regex.Pattern SLEEP = java.util.regex.Pattern.compile("^sleep (\\d+)$");

    private final KubernetesClient client;
    private final String namespace;
    private final String deployment;
    private final Map<String, NginxRtmpOrigin> running = new ConcurrentHashMap<>();
    private final Map<String, Long> createdOrder = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final List<String> scaledDown = new ArrayList<>();
    private final ScheduledExecutorService loop;
    private final String ipPrefix;
    private int nextHost = 2;
    private final boolean graceful;
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();

    public KubeletSimulator(KubernetesClient client, String namespace, String deployment) {
        this(client, namespace, deployment, false);
    }

    public KubeletSimulator(KubernetesClient client, String namespace, String deployment, boolean graceful) {
        this.graceful = graceful;
        this.client = client;
        this.namespace = namespace;
        this.deployment = deployment;
        // a loopback /24 of its own (all of 127/8 is loopback on Linux), so parallel runs never share pod IPs
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.ipPrefix = "127." + r.nextInt(100, 200) + "." + r.nextInt(1, 255) + ".";
        this.loop = Executors.newSingleThreadScheduledExecutor(t -> new Thread(t, "kubelet-" + deployment));
        loop.scheduleWithFixedDelay(this::tickQuietly, 0, 100, TimeUnit.MILLISECONDS);
    }

    /** Pod name to the origin running for it. */
    public Map<String, NginxRtmpOrigin> origins() {
        return Map.copyOf(running);
    }

    /** Pods this simulator removed on scale-down, in order. */
    public synchronized List<String> scaledDown() {
        return List.copyOf(scaledDown);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (KubernetesClientException e) {
            // a conflict or a race with the test's own writes: the next tick sees the new state
            log.debug("kubelet tick: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("kubelet tick failed", e);
        }
    }

    private void tick() {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
        List<Pod> pods = d == null ? List.of() : client.pods().inNamespace(namespace)
                .withLabels(d.getSpec().getSelector().getMatchLabels()).list().getItems();
        Set<String> names = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        // deleted pods: the container stops
        for (String gone : Set.copyOf(running.keySet())) {
            if (!names.contains(gone)) {
                stop(gone);
            }
        }
        if (d == null) {
            return;
        }
        List<Pod> live = new ArrayList<>(pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList());
        pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() != null)
                .forEach(p -> terminate(p.getMetadata().getName()));
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        for (int i = live.size(); i < desired; i++) {
            live.add(createPod(d));
        }
        if (live.size() > desired) {
            live.sort(scaleDownOrder());
            for (Pod victim : List.copyOf(live.subList(0, live.size() - desired))) {
                String name = victim.getMetadata().getName();
                log.info("scale-down removes pod {} (deletion cost {})", name, cost(victim));
                synchronized (this) {
                    scaledDown.add(name);
                }
                client.pods().inNamespace(namespace).withName(name).delete();
                if (!graceful) {
                    stop(name);
                }
                live.remove(victim);
            }
        }
        reportStatus(d, live);
    }

    private Comparator<Pod> scaleDownOrder() {
        return Comparator.<Pod, Boolean>comparing(KubeletSimulator::isReady)
                .thenComparingLong(KubeletSimulator::cost)
                .thenComparing(p -> -createdOrder.getOrDefault(p.getMetadata().getName(), 0L));
    }

    static long cost(Pod p) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        try {
            return a == null || a.get(DELETION_COST) == null ? 0 : Long.parseLong(a.get(DELETION_COST));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private Pod createPod(Deployment d) {
        String name = deployment + "-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
        String ip = nextIp();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withUid(UUID.randomUUID().toString())
                .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
                .withFinalizers(graceful ? List.of(KUBELET_FINALIZER) : List.of())
                .withAnnotations(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .build();
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        createdOrder.put(name, sequence.incrementAndGet());
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        int rtmp = port(c, "rtmp");
        NginxRtmpOrigin origin = NginxRtmpOrigin.start(name, ip, rtmp, port(c, "http"), port(c, "api"));
        running.put(name, origin);
        // Running with its IP; Ready once the readiness probe (tcpSocket on rtmp) passes
        boolean ready = origin.accepts(rtmp);
        String now = Instant.now().toString();
        Pod status = new PodBuilder(created).editMetadata().withResourceVersion(null).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP(ip).withPodIPs(new PodIPBuilder().withIp(ip).build())
                .withHostIP("127.0.0.1").withStartTime(now)
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("ContainersReady").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").withLastTransitionTime(now)
                .endCondition()
                .endStatus().build();
        Pod withStatus = client.pods().inNamespace(namespace).resource(status).patchStatus();
        log.info("pod {} runs {} (ready={})", name, origin, ready);
        return withStatus != null ? withStatus : created;
    }

    private static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new IllegalStateException("origin container has no port " + name));
    }

    private synchronized String nextIp() {
        if (nextHost > 254) {
            throw new IllegalStateException("out of simulated pod IPs");
        }
        return ipPrefix + nextHost++;
    }

    /** A pod marked for deletion: the kubelet runs the preStop hook (graceful), then stops the container. */
    private void terminate(String name) {
        if (!graceful) {
            stop(name);
            return;
        }
        if (!terminating.add(name)) {
            return;
        }
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        long seconds = pod == null ? 0 : preStopSleepSeconds(pod);
        log.info("pod {} terminating: preStop sleeps {} s", name, seconds);
        loop.schedule(() -> {
            stop(name);
            try {
                client.pods().inNamespace(namespace).withName(name).edit(p -> {
                    p.getMetadata().setFinalizers(List.of());
                    return p;
                });
            } catch (KubernetesClientException e) {
                log.debug("finalizer of {}: {}", name, e.getMessage());
            }
            terminating.remove(name);
        }, seconds, TimeUnit.SECONDS);
    }

    private static long preStopSleepSeconds(Pod pod) {
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getLifecycle() != null && c.getLifecycle().getPreStop() != null
                    && c.getLifecycle().getPreStop().getExec() != null) {
                List<String> cmd = c.getLifecycle().getPreStop().getExec().getCommand();
                java.util.regex.Matcher m = SLEEP.matcher(cmd.isEmpty() ? "" : cmd.get(cmd.size() - 1));
                if (m.matches()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        return 0;
    }

    /** Pods marked for deletion whose preStop hook still runs. */
    public Set<String> terminating() {
        return Set.copyOf(terminating);
    }

    private void stop(String name) {
        NginxRtmpOrigin o = running.remove(name);
        if (o != null) {
            log.info("pod {} gone: stopping {}", name, o);
            o.close();
        }
    }

    private void reportStatus(Deployment d, List<Pod> live) {
        int ready = (int) live.stream().filter(KubeletSimulator::isReady).count();
        DeploymentStatus want = new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(live.size()).withUpdatedReplicas(live.size()).withReadyReplicas(ready)
                .withAvailableReplicas(ready).build();
        DeploymentStatus have = d.getStatus();
        if (have != null && Objects.equals(have.getObservedGeneration(), want.getObservedGeneration())
                && Objects.equals(have.getReplicas(), want.getReplicas())
                && Objects.equals(have.getReadyReplicas(), want.getReadyReplicas())
                && Objects.equals(have.getUpdatedReplicas(), want.getUpdatedReplicas())) {
            return;
        }
        Deployment patch = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).editMetadata()
                .withResourceVersion(null).endMetadata().withStatus(want).build();
        client.apps().deployments().inNamespace(namespace).resource(patch).patchStatus();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new HashMap<>(running).keySet().forEach(this::stop);
    }
}

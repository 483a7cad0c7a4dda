package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.origincluster.state.StateStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StateStore} that measures every asynchronous call of the store it wraps:
 * {@code origincluster_state_store_call_seconds{operation}} (histogram) and
 * {@code origincluster_state_store_errors_total{operation}}. It wraps whatever the interface declares (a dynamic
 * proxy), so a new store operation is measured without touching this class; the operation tag is the method name,
 * a fixed set. Store calls are per session or per API call, never per relayed packet.
 */
public final class MeteredStateStore implements InvocationHandler {

    static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5)};

    private record Meters(Timer calls, Counter errors) { }

    private final StateStore target;
    private final MeterRegistry registry;
    private final Map<Method, Meters> meters = new ConcurrentHashMap<>();

    private MeteredStateStore(StateStore target, MeterRegistry registry) {
        this.target = target;
        this.registry = registry;
    }

    public static StateStore wrap(StateStore store, MeterRegistry registry) {
        return (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
                new Class<?>[] {StateStore.class}, new MeteredStateStore(store, registry));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "metered " + target;
                default -> method.invoke(target, args);
            };
        }
        if (!CompletionStage.class.isAssignableFrom(method.getReturnType())) {
            return call(method, args);
        }
        Meters m = meters.computeIfAbsent(method, this::meters);
        long start = System.nanoTime();
        CompletionStage<?> stage;
        try {
            stage = (CompletionStage<?>) call(method, args);
        } catch (RuntimeException e) {
            m.errors().increment();
            m.calls().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((v, err) -> {
            m.calls().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (err != null) {
                m.errors().increment();
            }
        });
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Meters meters(Method method) {
        String op = method.getName();
        return new Meters(
                Timer.builder("origincluster.state.store.call").description("State store calls by operation")
                        .tag("operation", op).serviceLevelObjectives(BUCKETS).register(registry),
                Counter.builder("origincluster.state.store.errors")
                        .description("State store calls that failed, by operation").tag("operation", op)
                        .register(registry));
    }
}

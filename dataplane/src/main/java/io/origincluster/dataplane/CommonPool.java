package io.origincluster.dataplane;

import java.util.concurrent.ForkJoinPool;

/**
 * With fewer than three CPUs the JDK sizes its common pool at one thread, and {@code CompletableFuture} then starts
 * a new thread for every async stage given no executor. The JDK HttpClient adds such a stage to each
 * {@code sendAsync}, so every auth hook call and origin API poll cost a thread start. Two threads keep them pooled.
 */
final class CommonPool {

    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    static final int MIN_PARALLELISM = 2;

    private CommonPool() {
    }

    /**
     * Raises the common pool to {@link #MIN_PARALLELISM} unless the operator chose a size; must run before anything
     * touches the pool, since it reads the property once. Returns the parallelism in effect.
     */
    static int ensureParallelism() {
        if (System.getProperty(PARALLELISM) == null
                && Runtime.getRuntime().availableProcessors() - 1 < MIN_PARALLELISM) {
            System.setProperty(PARALLELISM, Integer.toString(MIN_PARALLELISM));
        }
        return ForkJoinPool.getCommonPoolParallelism();
    }
}

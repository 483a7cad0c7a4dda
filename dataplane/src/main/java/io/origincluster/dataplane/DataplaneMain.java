package io.origincluster.dataplane;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.logging.LogShutdown;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point. Exit codes follow the Go proxy: 255 when start-up fails (bad setting, port taken, Redis down), 0
 * after a SIGINT/SIGTERM shutdown, 1 when shutdown overruns {@code PROXY_FORCE_QUIT_TIMEOUT}.
 */
public final class DataplaneMain {

    /** Before the logger: logback's queue thread is the first to touch the common pool, which sizes it for good. */
    private static final int COMMON_POOL = CommonPool.ensureParallelism();
    private static final Logger log = LoggerFactory.getLogger(DataplaneMain.class);

    private DataplaneMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(io.origincluster.dataplane.auth.TokenCommand.run(args, io.origincluster.dataplane.config.Env
                    .load(java.nio.file.Path.of("").toAbsolutePath(), System.getenv()), System.out, System.err));
            return;
        }
        io.origincluster.dataplane.netty.LeakDetection.applyProcessDefault();
        ProxyConfig config;
        Dataplane dataplane;
        try {
            config = ProxyConfig.fromEnvironment();
            io.origincluster.dataplane.logging.LogFormat.apply(config.log());
            log.info("origin-cluster dataplane {} starting: {}", Version.VERSION, config.description());
            if (COMMON_POOL < CommonPool.MIN_PARALLELISM) {
                log.warn("the JDK common pool has {} thread(s): each auth hook call and origin API poll starts a "
                        + "thread; -D{}={} avoids it", COMMON_POOL, CommonPool.PARALLELISM, CommonPool.MIN_PARALLELISM);
            }
            dataplane = new Dataplane(config).start();
        } catch (ConfigException e) {
            log.error("invalid configuration: {}", e.getMessage());
            System.err.println("origin-cluster: invalid configuration: " + e.getMessage());
            LogShutdown.flush();
            System.exit(255);
            return;
        } catch (Exception e) {
            log.error("start-up failed: {}", e.getMessage());
            log.debug("start-up failure", e);
            System.err.println("origin-cluster: start-up failed: " + e.getMessage());
            LogShutdown.flush();
            System.exit(255);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            log.info("stopping within {}", config.graceQuitTimeout());
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(config.forceQuitTimeout().toMillis());
                    log.error("shutdown exceeded PROXY_FORCE_QUIT_TIMEOUT={}, forcing exit", config.forceQuitTimeout());
                    LogShutdown.flush();
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "force-quit");
            watchdog.setDaemon(true);
            watchdog.start();
            dataplane.stop(config.graceQuitTimeout());
            log.info("stopped");
            stopped.countDown();
        };
        // Handling the signals ourselves (instead of only a shutdown hook) lets a signal-driven stop exit with 0,
        // as the Go proxy does, rather than the JVM's 128+signal.
        for (String sig : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(sig), s -> new Thread(shutdown, "shutdown-" + s.getName()).start());
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{}: {}", sig, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown.run();
            awaitQuietly(stopped);
            LogShutdown.flush();
        }, "shutdown-hook"));
        log.info("origin-cluster dataplane ready");
        awaitQuietly(stopped);
        System.exit(0); // the shutdown hook writes out the queued log lines
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

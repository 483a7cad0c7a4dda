package io.origincluster.dataplane;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.ProxyConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point. Exit codes follow the Go proxy: 255 when start-up fails (bad setting, port taken, Redis down), 0
 * after a signal-driven shutdown, 1 when shutdown overruns {@code PROXY_FORCE_QUIT_TIMEOUT}.
 */
public final class DataplaneMain {

    private static final Logger log = LoggerFactory.getLogger(DataplaneMain.class);

    private DataplaneMain() {
    }

    public static void main(String[] args) {
        ProxyConfig config;
        Dataplane dataplane;
        try {
            config = ProxyConfig.fromEnvironment();
            log.info("origin-cluster dataplane {} starting: {}", Version.VERSION, config.description());
            dataplane = new Dataplane(config).start();
        } catch (ConfigException e) {
            log.error("invalid configuration: {}", e.getMessage());
            System.exit(255);
            return;
        } catch (Exception e) {
            log.error("start-up failed: {}", e.toString(), e);
            System.exit(255);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("signal received, stopping within {}", config.graceQuitTimeout());
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(config.forceQuitTimeout().toMillis());
                    log.error("shutdown exceeded PROXY_FORCE_QUIT_TIMEOUT={}, forcing exit", config.forceQuitTimeout());
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "force-quit");
            watchdog.setDaemon(true);
            watchdog.start();
            dataplane.stop(config.graceQuitTimeout());
            stopped.countDown();
            log.info("stopped");
        }, "shutdown"));
        log.info("origin-cluster dataplane ready");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

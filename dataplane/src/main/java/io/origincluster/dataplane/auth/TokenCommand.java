package io.origincluster.dataplane.auth;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.Env;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar dataplane.jar token --stream live/cam1 --action publish --ttl 1h}: prints a stream token signed
 * with {@code PROXY_AUTH_SECRET} (from the environment or {@code .env}), for scripts that have the secret and
 * no system API at hand. Exit code 0 with the token on stdout, 2 with the reason on stderr.
 */
public final class TokenCommand {

    static final String USAGE = "usage: token --stream <app/stream|vhost/app/stream|prefix*> --action publish|play"
            + " [--ttl 1h]   (signs with PROXY_AUTH_SECRET)";

    private TokenCommand() {
    }

    public static int run(String[] args, Env env, PrintStream out, PrintStream err) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                err.println("unexpected argument '" + a + "'; " + USAGE);
                return 2;
            }
            opts.put(a.substring(2), args[++i]);
        }
        try {
            String secret = env.secret("PROXY_AUTH_SECRET");
            if (secret.isEmpty()) {
                err.println("PROXY_AUTH_SECRET is not set");
                return 2;
            }
            if (!opts.containsKey("stream") || !opts.containsKey("action")) {
                err.println(USAGE);
                return 2;
            }
            Duration ttl = new Env(Map.of("--ttl", opts.getOrDefault("ttl", "1h"))).duration("--ttl", "1h");
            out.println(new StreamTokens(secret).mint(Action.parse(opts.get("action")), opts.get("stream"), ttl,
                    Instant.now()));
            return 0;
        } catch (ConfigException | IllegalArgumentException e) {
            err.println(e.getMessage() + "; " + USAGE);
            return 2;
        }
    }
}

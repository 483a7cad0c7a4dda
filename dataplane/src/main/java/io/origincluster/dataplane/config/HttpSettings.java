package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The HTTP stream server (FLV/TS/HLS/static) and the HTTP API (WHIP/WHEP). {@code staticFiles} is null when
 * unset; a set but missing folder stops start-up, as in the Go proxy.
 */
public record HttpSettings(InetSocketAddress streamListen, InetSocketAddress apiListen, Path staticFiles,
                           Duration idleTimeout) {

    static HttpSettings from(Env env) {
        InetSocketAddress stream = env.listen("PROXY_HTTP_SERVER", 18080);
        InetSocketAddress api = env.listen("PROXY_HTTP_API", 11985);
        String dir = env.string("PROXY_STATIC_FILES", "");
        Path staticFiles = null;
        if (!dir.isEmpty()) {
            staticFiles = Path.of(dir).toAbsolutePath().normalize();
            if (!Files.isDirectory(staticFiles)) {
                throw new ConfigException("PROXY_STATIC_FILES", "'" + dir + "' is not a directory");
            }
        }
        Duration idle = env.duration("PROXY_HTTP_IDLE_TIMEOUT", "30s");
        return new HttpSettings(stream, api, staticFiles, idle);
    }
}

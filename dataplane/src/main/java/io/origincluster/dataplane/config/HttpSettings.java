package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The HTTP stream server (FLV/TS/HLS/static) and the HTTP API (WHIP/WHEP). {@code staticFiles} is null when
 * unset; a set but missing folder stops start-up, as in the Go proxy.
 *
 * <p>HLS: playlists handed out by one replica carry URIs signed with the HLS token key, so every replica that
 * shares the key can route the segment requests. {@code hlsTokenKey} is {@code PROXY_HLS_TOKEN_KEY}, or null when
 * it is unset: then the key comes from the state store ({@code StateStore.sharedSecret}), shared by every replica on
 * the same store (Redis) and rotated every {@code hlsTokenRotation} with overlap.
 *
 * <p>{@code originPoolPerLoop}: idle keep-alive connections kept per origin and event loop for manifest and segment
 * requests (0: a new connection per request).
 *
 * <p>{@code playerPages}: the built-in player pages at {@code /players/} ({@code PROXY_PLAYER_PAGES}, on by
 * default); a file under {@code PROXY_STATIC_FILES} at the same path wins.
 */
public record HttpSettings(InetSocketAddress streamListen, InetSocketAddress apiListen, Path staticFiles,
                           Duration idleTimeout, byte[] hlsTokenKey, Duration hlsTokenTtl,
                           Duration hlsTokenRotation, int maxPlaylistBytes, int originPoolPerLoop,
                           boolean playerPages) {

    /** True when no key is configured and the replicas share one through the state store. */
    public boolean hlsTokenKeyShared() {
        return hlsTokenKey == null;
    }

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
        if (idle.toMillis() < 100) {
            throw new ConfigException("PROXY_HTTP_IDLE_TIMEOUT", "must be at least 100ms");
        }
        String key = env.secret("PROXY_HLS_TOKEN_KEY");
        byte[] keyBytes = null;
        if (!key.isEmpty()) {
            keyBytes = key.getBytes(StandardCharsets.UTF_8);
            if (keyBytes.length < 16) {
                throw new ConfigException("PROXY_HLS_TOKEN_KEY", "must be at least 16 bytes");
            }
        }
        Duration tokenTtl = env.duration("PROXY_HLS_TOKEN_TTL", "1h");
        if (tokenTtl.toSeconds() < 10) {
            throw new ConfigException("PROXY_HLS_TOKEN_TTL", "must be at least 10s");
        }
        // a key signs for one period after it becomes current and is accepted for one more, and replicas learn
        // of a rotation within a quarter period: a token must not outlive that
        Duration rotation = env.duration("PROXY_HLS_TOKEN_ROTATION", "24h");
        if (rotation.compareTo(tokenTtl.multipliedBy(2)) < 0) {
            throw new ConfigException("PROXY_HLS_TOKEN_ROTATION", "must be at least twice PROXY_HLS_TOKEN_TTL ("
                    + tokenTtl.multipliedBy(2).toSeconds() + "s)");
        }
        int maxPlaylist = env.integer("PROXY_HLS_MAX_PLAYLIST_BYTES", 1024 * 1024, 4096, 64 * 1024 * 1024);
        int pool = env.integer("PROXY_HTTP_ORIGIN_POOL", 8, 0, 256);
        boolean players = env.onOff("PROXY_PLAYER_PAGES", true);
        return new HttpSettings(stream, api, staticFiles, idle, keyBytes, tokenTtl, rotation, maxPlaylist, pool,
                players);
    }

    @Override
    public String toString() {
        return "HttpSettings[streamListen=" + streamListen + ", apiListen=" + apiListen + ", staticFiles="
                + staticFiles + ", idleTimeout=" + idleTimeout + ", hlsTokenKey="
                + (hlsTokenKeyShared() ? "shared through the state store" : "******") + ", hlsTokenTtl="
                + hlsTokenTtl + ", hlsTokenRotation=" + hlsTokenRotation
                + ", maxPlaylistBytes=" + maxPlaylistBytes + ", originPoolPerLoop=" + originPoolPerLoop + ", playerPages=" + playerPages + "]";
    }
}

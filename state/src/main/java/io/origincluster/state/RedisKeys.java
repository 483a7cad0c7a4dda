package io.origincluster.state;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Redis key schema, in one place. Every key of one cluster starts with {@code oc:{<clusterId>}:}; the braces
 * are a Redis Cluster hash tag, so all keys of a cluster live in one slot and every Lua script below touches keys of
 * a single slot. Several clusters share one Redis without colliding because their prefixes differ.
 *
 * <table>
 *   <caption>Keys of cluster {@code C} (prefix {@code P = oc:{C}:})</caption>
 *   <tr><th>Key</th><th>Type</th><th>Content</th><th>Expiry</th></tr>
 *   <tr><td>{@code P backend:<id>}</td><td>HASH</td>
 *       <td>{@code json} = the backend record without times (its draining always false); {@code draining} =
 *       "0"/"1", kept by register while the backend is live; {@code max} = stream cap
 *       (0 = none); {@code seen} and {@code expires} = Redis server time in ms of the last registration and of the
 *       lease end</td><td>the lease (PX = registration TTL)</td></tr>
 *   <tr><td>{@code P backends}</td><td>ZSET</td><td>member = backend id, score = lease end (server ms). A backend
 *       is live while its score is in the future; members with a past score are pruned by the next register</td>
 *       <td>none</td></tr>
 *   <tr><td>{@code P pin:<streamKey>}</td><td>STRING</td><td>the pinned backend id</td>
 *       <td>the pin TTL (PX), extended by touchPin</td></tr>
 *   <tr><td>{@code P pins:<backendId>}</td><td>ZSET</td><td>member = stream key pinned to that backend, score =
 *       pin end (server ms); the live pin count is {@code ZCOUNT (now +inf}</td>
 *       <td>PEXPIREAT = its latest pin end, so it vanishes with its last pin</td></tr>
 *   <tr><td>{@code P session:<kind>:<id>}</td><td>STRING</td><td>JSON of the SessionRecord; kind is hls, webrtc or
 *       srt</td><td>the session TTL (PX), extended by touchSession</td></tr>
 *   <tr><td>{@code P secret:<name>}</td><td>HASH</td><td>a secret every replica shares (name {@code hls-token}: the
 *       HLS token key): {@code current}, {@code next}, {@code previous} (base64 of 32 random bytes; previous empty
 *       before the first rotation), {@code rotated} = server ms of the last rotation; created and rotated only inside
 *       the secret script</td><td>PEXPIRE = 2 x the rotation period, renewed by every read</td></tr>
 *   <tr><td>{@code P events}</td><td>pub/sub channel</td><td>{@code <TYPE> <serverMs> <backendId>}, TYPE is UPSERTED,
 *       REMOVED or DRAINING; published by the same script that makes the change</td><td>-</td></tr>
 * </table>
 *
 * <p>Every time in the schema is the Redis server's clock ({@code TIME} inside the scripts), so proxies with skewed
 * clocks agree on what is live. docs/state.md mirrors this table; change both together.
 */
public final class RedisKeys {

    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String prefix;

    public RedisKeys(String clusterId) {
        if (clusterId == null || !CLUSTER_ID.matcher(clusterId).matches()) {
            throw new IllegalArgumentException("cluster id '" + clusterId
                    + "' must be 1-64 characters of letters, digits, '.', '_' or '-'");
        }
        this.prefix = "oc:{" + clusterId + "}:";
    }

    /** {@code oc:{<clusterId>}:}, the start of every key of this cluster; scripts build per-id keys from it. */
    public String prefix() {
        return prefix;
    }

    public String backend(String backendId) {
        return prefix + "backend:" + backendId;
    }

    public String backends() {
        return prefix + "backends";
    }

    public String pin(String streamKey) {
        return prefix + "pin:" + streamKey;
    }

    public String pinsOf(String backendId) {
        return prefix + "pins:" + backendId;
    }

    public String session(SessionKind kind, String id) {
        return prefix + "session:" + kind.name().toLowerCase(Locale.ROOT) + ":" + id;
    }

    public String publisher(String streamKey) {
        return prefix + "publisher:" + streamKey;
    }

    public String secret(String name) {
        return prefix + "secret:" + name;
    }

    public String events() {
        return prefix + "events";
    }
}

package io.origincluster.state;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The Lua scripts behind every multi-key write of {@link RedisStateStore}. Redis runs a script to completion
 * before any other command, so each one is atomic across all proxies. Times come from {@code TIME} on the server.
 * Key layout: {@link RedisKeys}. Scripts are sent by SHA ({@code EVALSHA}) and re-sent in full only when the server
 * does not know them yet (first use, restart, {@code SCRIPT FLUSH}).
 */
final class RedisScripts {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /** Lease check shared by the scripts that return a backend: the hash fields if {@code id} is live, else nil. */
    private static final String LIVE = """
            local function live(prefix, index, id)
              local s = redis.call('ZSCORE', index, id)
              if not s or tonumber(s) <= now then return nil end
              local h = redis.call('HMGET', prefix .. 'backend:' .. id, 'json', 'draining', 'max', 'seen', 'expires')
              if not h[1] then return nil end
              return h
            end
            """;

    /** Keeps a backend's pin index alive exactly as long as its latest pin. */
    private static final String EXPIRE_INDEX = """
            local function expireIndex(pins)
              local last = redis.call('ZRANGE', pins, -1, -1, 'WITHSCORES')
              if last[2] then redis.call('PEXPIREAT', pins, last[2]) end
            end
            """;

    /**
     * KEYS: backend hash, backends index, events channel. ARGV: id, json, draining, max, ttl ms.
     * A live backend keeps its draining flag (only SET_DRAINING changes it); ARGV[3] applies to a new or expired
     * one. Publishes only when the backend is new, returns from expiry, or changed: heartbeats stay silent.
     * Returns {now, lease end, the stored draining flag}.
     */
    static final Script REGISTER = new Script(NOW + """
            local ttl = tonumber(ARGV[5])
            local exp = now + ttl
            local old = redis.call('HMGET', KEYS[1], 'json', 'draining')
            local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
            local wasLive = score and tonumber(score) > now and old[1]
            local draining = ARGV[3]
            if wasLive and old[2] then draining = old[2] end
            redis.call('HSET', KEYS[1], 'json', ARGV[2], 'draining', draining, 'max', ARGV[4],
                'seen', now, 'expires', exp)
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            redis.call('ZADD', KEYS[2], exp, ARGV[1])
            if not wasLive or old[1] ~= ARGV[2] then
              local kind = draining == '1' and 'DRAINING ' or 'UPSERTED '
              redis.call('PUBLISH', KEYS[3], kind .. now .. ' ' .. ARGV[1])
            end
            return {now, exp, draining}
            """);

    /**
     * KEYS: backend hash, backends index, the backend's pin index, events channel. ARGV: id, key prefix.
     * Removes the backend, its index entry and every pin that still names it. Returns 1 if anything existed.
     */
    static final Script DEREGISTER = new Script(NOW + """
            local existed = redis.call('DEL', KEYS[1]) + redis.call('ZREM', KEYS[2], ARGV[1])
            local streams = redis.call('ZRANGE', KEYS[3], 0, -1)
            for _, s in ipairs(streams) do
              local pin = ARGV[2] .. 'pin:' .. s
              if redis.call('GET', pin) == ARGV[1] then redis.call('DEL', pin) end
            end
            existed = existed + redis.call('DEL', KEYS[3])
            if existed > 0 then redis.call('PUBLISH', KEYS[4], 'REMOVED ' .. now .. ' ' .. ARGV[1]) end
            if existed > 0 then return 1 end
            return 0
            """);

    /** KEYS: backend hash, backends index, events channel. ARGV: id, "0"/"1". Returns 1 if the backend is live. */
    static final Script SET_DRAINING = new Script(NOW + """
            local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
            if not s or tonumber(s) <= now or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], 'draining', ARGV[2])
            local kind = ARGV[2] == '1' and 'DRAINING ' or 'UPSERTED '
            redis.call('PUBLISH', KEYS[3], kind .. now .. ' ' .. ARGV[1])
            return 1
            """);

    /**
     * Read only. KEYS: backends index. ARGV: key prefix.
     * Returns {now, then per live backend: id, json, draining, max, seen, expires, live pin count}.
     */
    static final Script SNAPSHOT = new Script(NOW + LIVE + """
            local out = {now}
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
            for _, id in ipairs(ids) do
              local h = live(ARGV[1], KEYS[1], id)
              if h then
                local n = redis.call('ZCOUNT', ARGV[1] .. 'pins:' .. id, '(' .. now, '+inf')
                for _, v in ipairs({id, h[1], h[2], h[3], h[4], h[5], n}) do out[#out + 1] = v end
              end
            end
            return out
            """);

    /** Read only. KEYS: backends index. ARGV: key prefix, id. Returns {id, json, draining, max, seen, expires} or {}. */
    static final Script BACKEND = new Script(NOW + LIVE + """
            local h = live(ARGV[1], KEYS[1], ARGV[2])
            if not h then return {} end
            return {ARGV[2], h[1], h[2], h[3], h[4], h[5]}
            """);

    /**
     * Pick-and-pin in one round trip. KEYS: pin key, backends index. ARGV: key prefix, stream key, candidate id
     * ('' when the caller has none), pin ttl ms, then excluded ids.
     * <ul>
     *   <li>{PINNED, id, fields...}: the existing pin names a live, non-excluded backend (draining is fine);</li>
     *   <li>{NEW, id, fields..., replaced id or ''}: the candidate was live, open and under its cap; it is pinned;</li>
     *   <li>{NONE}: no pin and no candidate; {STALE, id}: the candidate is gone, draining or excluded;
     *       {FULL, id}: the candidate reached its stream cap. The caller refreshes its view and retries.</li>
     * </ul>
     * Because the existing pin is read and the new one written inside one script, the first of two racing proxies
     * pins and the second gets PINNED with the first one's choice.
     */
    static final Script PIN = new Script(NOW + LIVE + EXPIRE_INDEX + """
            local prefix = ARGV[1]
            local function excluded(id)
              for i = 5, #ARGV do if ARGV[i] == id then return true end end
              return false
            end
            local cur = redis.call('GET', KEYS[1])
            if cur and not excluded(cur) then
              local h = live(prefix, KEYS[2], cur)
              if h then return {'PINNED', cur, h[1], h[2], h[3], h[4], h[5]} end
            end
            local c = ARGV[3]
            if c == '' then return {'NONE'} end
            local h = live(prefix, KEYS[2], c)
            if not h or h[2] == '1' or excluded(c) then return {'STALE', c} end
            local pins = prefix .. 'pins:' .. c
            local max = tonumber(h[3])
            if max > 0 and redis.call('ZCOUNT', pins, '(' .. now, '+inf') >= max then return {'FULL', c} end
            if cur then redis.call('ZREM', prefix .. 'pins:' .. cur, ARGV[2]) end
            local ttl = tonumber(ARGV[4])
            redis.call('SET', KEYS[1], c, 'PX', ttl)
            redis.call('ZREMRANGEBYSCORE', pins, '-inf', now)
            redis.call('ZADD', pins, now + ttl, ARGV[2])
            expireIndex(pins)
            return {'NEW', c, h[1], h[2], h[3], h[4], h[5], cur or ''}
            """);

    /** Read only. KEYS: pin key, backends index. ARGV: key prefix. Returns the live pinned backend's fields or {}. */
    static final Script PINNED = new Script(NOW + LIVE + """
            local cur = redis.call('GET', KEYS[1])
            if not cur then return {} end
            local h = live(ARGV[1], KEYS[2], cur)
            if not h then return {} end
            return {cur, h[1], h[2], h[3], h[4], h[5]}
            """);

    /** KEYS: pin key, the backend's pin index. ARGV: stream key, backend id, ttl ms. Returns 1 if extended. */
    static final Script TOUCH_PIN = new Script(NOW + EXPIRE_INDEX + """
            if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
            local ttl = tonumber(ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
            expireIndex(KEYS[2])
            return 1
            """);

    /**
     * KEYS: the secret hash. ARGV: a fresh key, another fresh key (base64), rotation period ms. Creates the secret
     * (current = ARGV[1], next = ARGV[2]) if it does not exist; rotates it (previous = current, current = next,
     * next = ARGV[1]) once the period has passed since the last rotation; then renews its expiry (2 x the period).
     * Returns {current, next, previous or '', rotated ms}.
     */
    static final Script SECRET = new Script(NOW + """
            local period = tonumber(ARGV[3])
            local h = redis.call('HMGET', KEYS[1], 'current', 'next', 'previous', 'rotated')
            if not h[1] or not h[2] or not h[4] then
              h = {ARGV[1], ARGV[2], '', now}
              redis.call('HSET', KEYS[1], 'current', h[1], 'next', h[2], 'previous', h[3], 'rotated', now)
            elseif now - tonumber(h[4]) >= period then
              h = {h[2], ARGV[1], h[1], now}
              redis.call('HSET', KEYS[1], 'current', h[1], 'next', h[2], 'previous', h[3], 'rotated', now)
            end
            redis.call('PEXPIRE', KEYS[1], 2 * period)
            return {h[1], h[2], h[3] or '', tonumber(h[4])}
            """);

    /** Compare-and-delete. KEYS: pin key, the backend's pin index. ARGV: stream key, backend id. */
    static final Script UNPIN = new Script("""
            if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return 1
            """);

    /** Read only. KEYS: backends index. ARGV: key prefix. Returns {stream key, backend id, ...} of live pins. */
    static final Script PINS = new Script(NOW + """
            local out = {}
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
            for _, id in ipairs(ids) do
              local streams = redis.call('ZRANGEBYSCORE', ARGV[1] .. 'pins:' .. id, '(' .. now, '+inf')
              for _, s in ipairs(streams) do
                out[#out + 1] = s
                out[#out + 1] = id
              end
            end
            return out
            """);

    private RedisScripts() {
    }

    /** A script with its SHA-1, run by EVALSHA and re-sent with EVAL only on NOSCRIPT. */
    record Script(String source, String sha) {

        Script(String source) {
            this(source, sha1(source));
        }

        <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type, String[] keys,
                                   String... args) {
            CompletionStage<T> bySha = redis.evalsha(sha, type, keys, args);
            return bySha.exceptionallyCompose(e -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RedisNoScriptException) {
                    return redis.<T>eval(source, type, keys, args);
                }
                return CompletableFuture.failedFuture(cause);
            });
        }

        private static String sha1(String s) {
            try {
                return HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 missing from the JDK", e);
            }
        }
    }
}

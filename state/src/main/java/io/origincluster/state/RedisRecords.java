package io.origincluster.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How records are written to and read back from Redis (JSON plus the hash fields of {@link RedisKeys}). */
final class RedisRecords {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // the same record must encode to the same bytes on every JVM, or heartbeats would look like changes
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // a newer proxy may write enum values this one does not know (an endpoint kind such as rtsp was once
            // new): an unknown endpoint kind is dropped (Backend skips null keys), an unknown source reads as
            // its @JsonEnumDefaultValue, so the origin stays routable for everything this proxy does know
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

    private RedisRecords() {
    }

    /**
     * The backend's JSON without its times and draining flag: those live in the hash fields (times on the
     * server's clock), so a heartbeat's JSON equals the stored one whatever the flag.
     */
    static String backendJson(Backend backend) {
        return toJson(backend.withDraining(false).withTimes(null, null));
    }

    /** Backend from script fields starting at {@code i}: id, json, draining, max, seen ms, expires ms. */
    static Backend backend(List<Object> r, int i) {
        Backend b = fromJson((String) r.get(i + 1), Backend.class);
        return new Backend(b.id(), b.ip(), b.endpoints(), b.source(), b.labels(), "1".equals(r.get(i + 2)),
                b.weight(), (int) asLong(r.get(i + 3)), Instant.ofEpochMilli(asLong(r.get(i + 4))),
                Instant.ofEpochMilli(asLong(r.get(i + 5))));
    }

    static String sessionJson(SessionRecord session) {
        return toJson(session);
    }

    static SessionRecord session(String json) {
        return fromJson(json, SessionRecord.class);
    }

    /** Lua hands numbers back as integers, or as strings when they went through a hash field. */
    static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        String s = String.valueOf(o);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(s);
        }
    }

    /** The outer message plus the root cause's, e.g. "Unable to connect to 127.0.0.1:1: Connection refused". */
    static String rootMessage(Throwable e) {
        Throwable outer = e;
        while ((outer instanceof CompletionException || outer instanceof ExecutionException)
                && outer.getCause() != null) {
            outer = outer.getCause();
        }
        Throwable root = outer;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = outer.getMessage() == null ? outer.getClass().getSimpleName() : outer.getMessage();
        if (root != outer && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + ": " + root.getMessage();
        }
        return m;
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static <T> T fromJson(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt " + type.getSimpleName() + " record in Redis: "
                    + e.getOriginalMessage(), e);
        }
    }
}

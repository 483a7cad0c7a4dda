package io.origincluster.state;

/** A change to the backend set, delivered to listeners so local caches drop dead origins at once. */
public record BackendEvent(Type type, String backendId) {
    public enum Type { UPSERTED, REMOVED, DRAINING, RESYNC }
}

package io.origincluster.state;

import java.util.Map;
import java.util.Objects;

/**
 * A protocol session: what a later packet (a STUN binding, an SRT datagram) or request needs to reach the same
 * backend. {@code id} is the protocol's own handle: the WebRTC ICE username, the SRT socket id, an HLS id.
 */
public record SessionRecord(SessionKind kind, String id, String streamKey, String backendId,
                            Map<String, String> attributes) {
    public SessionRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(streamKey, "streamKey");
        Objects.requireNonNull(backendId, "backendId");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}

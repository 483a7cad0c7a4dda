package io.origincluster.dataplane.cluster;

import java.time.Instant;
import java.util.List;

/**
 * What one poll learned about one origin. {@code status}: {@code ok} (its API answered everything), {@code error}
 * ({@code error} says why: timeout, refused, HTTP status, bad JSON...) or {@code no_api} (registered without an
 * {@code api} endpoint, e.g. nginx-rtmp: only what the proxy itself knows is shown).
 */
record OriginReport(String id, String api, String status, String error, SrsReplies.Summary summary,
                    List<StreamRow> streams, boolean streamsTruncated, List<ClientRow> clients,
                    boolean clientsTruncated, Instant polledAt, long tookMs) {

    static final String OK = "ok";
    static final String ERROR = "error";
    static final String NO_API = "no_api";

    /** A stream the origin reports, with the cluster stream key ({@code vhost/app/stream}). */
    record StreamRow(String key, SrsReplies.Stream stream) { }

    /** A client the origin reports, with the stream key it is on (null when the origin does not say). */
    record ClientRow(String key, SrsReplies.Client client) { }

    static OriginReport failed(String id, String api, String error, Instant at, long tookMs) {
        return new OriginReport(id, api, ERROR, error, null, List.of(), false, List.of(), false, at, tookMs);
    }

    static OriginReport noApi(String id, Instant at) {
        return new OriginReport(id, null, NO_API, null, null, List.of(), false, List.of(), false, at, 0);
    }

    long recvKbps() {
        return streams.stream().mapToLong(s -> s.stream().recvKbps()).sum();
    }

    long sendKbps() {
        return streams.stream().mapToLong(s -> s.stream().sendKbps()).sum();
    }
}

package io.origincluster.dataplane.cluster;

import io.origincluster.state.Backend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of {@code GET /api/v1/cluster/streams}, {@code /summaries} and {@code /clients}, built from the
 * poller's last snapshot plus what this proxy knows right now (its sessions per origin). Every reply carries
 * {@code polledAt} and {@code ageMs} (how old the origins' figures are), {@code errors} (origins whose API failed,
 * with the reason) and never waits on an origin.
 */
public final class ClusterViews {

    /** Largest page of {@code /api/v1/cluster/clients}. */
    public static final int MAX_PAGE = 1000;
    public static final int DEFAULT_PAGE = 100;

    private ClusterViews() {
    }

    public static Map<String, Object> streams(ClusterSnapshot s, Instant now) {
        List<Map<String, Object>> list = new ArrayList<>();
        Map<String, List<String>> pinsByOrigin = pinsByOrigin(s.pins());
        for (OriginReport r : s.reports().values()) {
            if (r.status().equals(OriginReport.OK)) {
                for (OriginReport.StreamRow row : r.streams()) {
                    SrsReplies.Stream st = row.stream();
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("origin", r.id());
                    o.put("key", row.key());
                    o.put("app", st.app());
                    o.put("name", st.name());
                    o.put("pinnedTo", s.pins().get(row.key()));
                    o.put("publisher", st.publishing());
                    o.put("clients", st.clients());
                    o.put("kbps", kbps(st.recvKbps(), st.sendKbps()));
                    o.put("video", codec(st.video()));
                    o.put("audio", codec(st.audio()));
                    o.put("source", "origin");
                    list.add(o);
                }
            } else if (r.status().equals(OriginReport.NO_API)) {
                // no API to ask: the streams pinned to it are all the proxy knows
                for (String key : pinsByOrigin.getOrDefault(r.id(), List.of())) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("origin", r.id());
                    o.put("key", key);
                    o.put("pinnedTo", r.id());
                    o.put("publisher", null);
                    o.put("clients", null);
                    o.put("source", "pin");
                    list.add(o);
                }
            }
        }
        Map<String, Object> out = envelope(s, now);
        out.put("streams", list);
        out.put("truncated", s.reports().values().stream().filter(OriginReport::streamsTruncated)
                .map(OriginReport::id).toList());
        out.put("errors", errors(s));
        return out;
    }

    public static Map<String, Object> summaries(ClusterSnapshot s, Map<String, Integer> sessionsHere, Instant now) {
        Map<String, Long> pinCounts = new HashMap<>();
        s.pins().values().forEach(id -> pinCounts.merge(id, 1L, Long::sum));
        Map<String, Backend> backends = new HashMap<>();
        s.backends().forEach(b -> backends.put(b.id(), b));
        List<Map<String, Object>> list = new ArrayList<>();
        for (OriginReport r : s.reports().values()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", r.id());
            o.put("status", r.status());
            o.put("api", r.api());
            if (r.error() != null) {
                o.put("error", r.error());
            }
            if (r.status().equals(OriginReport.OK)) {
                SrsReplies.Summary sum = r.summary();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", sum.version());
                m.put("cpuPercent", sum.cpuPercent());
                m.put("memoryKbyte", sum.memoryKbyte());
                m.put("connections", sum.connections());
                m.put("load1m", sum.load1m());
                m.put("uptimeSeconds", sum.uptimeSeconds());
                m.put("streams", r.streams().size());
                m.put("clients", r.clients().size());
                m.put("kbps", kbps(r.recvKbps(), r.sendKbps()));
                m.put("pollMs", r.tookMs());
                o.put("summary", m);
            } else {
                o.put("summary", null);
            }
            Backend b = backends.get(r.id());
            Map<String, Object> proxy = new LinkedHashMap<>();
            proxy.put("sessions", sessionsHere.getOrDefault(r.id(), 0));
            proxy.put("pinnedStreams", pinCounts.getOrDefault(r.id(), 0L));
            proxy.put("draining", b != null && b.draining());
            proxy.put("source", b == null ? null : b.source().name().toLowerCase(java.util.Locale.ROOT));
            o.put("proxy", proxy);
            list.add(o);
        }
        Map<String, Object> out = envelope(s, now);
        out.put("origins", list);
        out.put("errors", errors(s));
        return out;
    }

    public static Map<String, Object> clients(ClusterSnapshot s, int start, int count, Instant now) {
        List<Map<String, Object>> page = new ArrayList<>();
        int index = 0;
        int end = start + count;
        for (OriginReport r : s.reports().values()) {
            if (!r.status().equals(OriginReport.OK)) {
                continue;
            }
            for (OriginReport.ClientRow row : r.clients()) {
                if (index >= start && index < end) {
                    SrsReplies.Client c = row.client();
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("origin", r.id());
                    o.put("id", c.id());
                    o.put("key", row.key());
                    o.put("ip", c.ip());
                    o.put("type", c.type());
                    o.put("publish", c.publish());
                    o.put("aliveSeconds", c.aliveSeconds());
                    o.put("kbps", kbps(c.recvKbps(), c.sendKbps()));
                    page.add(o);
                }
                index++;
            }
        }
        Map<String, Object> out = envelope(s, now);
        out.put("start", start);
        out.put("count", count);
        out.put("total", index);
        out.put("clients", page);
        out.put("truncated", s.reports().values().stream().filter(OriginReport::clientsTruncated)
                .map(OriginReport::id).toList());
        out.put("errors", errors(s));
        return out;
    }

    private static Map<String, Object> envelope(ClusterSnapshot s, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", 0);
        out.put("polledAt", s.takenAt().toString());
        out.put("ageMs", Math.max(0, now.toEpochMilli() - s.takenAt().toEpochMilli()));
        out.put("pollMs", s.tookMs());
        return out;
    }

    private static List<Map<String, Object>> errors(ClusterSnapshot s) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (OriginReport r : s.reports().values()) {
            if (r.status().equals(OriginReport.ERROR)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("origin", r.id());
                e.put("api", r.api());
                e.put("error", r.error());
                list.add(e);
            }
        }
        return list;
    }

    private static Map<String, List<String>> pinsByOrigin(Map<String, String> pins) {
        Map<String, List<String>> out = new HashMap<>();
        new TreeMap<>(pins).forEach((key, origin) -> out.computeIfAbsent(origin, k -> new ArrayList<>()).add(key));
        return out;
    }

    private static Map<String, Object> kbps(long in, long out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in", in);
        m.put("out", out);
        return m;
    }

    private static Map<String, Object> codec(SrsReplies.Codec c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("codec", c.codec());
        if (c.profile() != null) {
            m.put("profile", c.profile());
        }
        if (c.width() != null) {
            m.put("width", c.width());
            m.put("height", c.height());
        }
        if (c.sampleRate() != null) {
            m.put("sampleRate", c.sampleRate());
            m.put("channels", c.channels());
        }
        return m;
    }
}

package io.origincluster.dataplane.cluster;

import io.origincluster.state.Backend;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One complete poll of the cluster: the live origins and pins it started from and each origin's report. */
public record ClusterSnapshot(Instant takenAt, long tookMs, List<Backend> backends, Map<String, String> pins,
                       Map<String, OriginReport> reports) { }

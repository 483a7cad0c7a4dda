package io.origincluster.dataplane.rtmp;

import io.origincluster.dataplane.routing.StreamKey;
import java.util.List;
import java.util.Map;

/**
 * What a client asked for, to be replayed to the origin: its connect command object (app, tcUrl, flashVer,
 * swfUrl, pageUrl, objectEncoding, ...), whether it publishes or plays, the stream name with its query, and the
 * remaining publish/play arguments (publish type; play start, duration, reset).
 */
record RtmpRequest(Map<String, Object> connectObject, String tcUrl, boolean publish, String streamName,
                   List<Object> extraArgs, StreamKey key) {
}

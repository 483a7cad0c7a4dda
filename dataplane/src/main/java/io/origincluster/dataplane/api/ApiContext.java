package io.origincluster.dataplane.api;

import io.origincluster.dataplane.config.WebRtcSettings;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.webrtc.WebRtcRelayServer;

/** What every API connection shares. */
record ApiContext(RoutingCore routing, WebRtcRelayServer relay, WebRtcSettings settings, OriginClient origins,
                  AdvertisedHost advertisedHost, io.origincluster.dataplane.metrics.ProtocolMeters meters) {
}

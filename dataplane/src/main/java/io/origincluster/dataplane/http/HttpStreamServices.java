package io.origincluster.dataplane.http;

import io.origincluster.dataplane.config.HitlessSettings;
import io.origincluster.dataplane.config.HttpSettings;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.metrics.ProtocolMeters;
import io.origincluster.dataplane.routing.RoutingCore;
import java.time.Clock;
import java.time.Duration;

/** What every connection of the HTTP stream server shares; immutable, safe from any event loop. */
record HttpStreamServices(HttpSettings settings, RoutingCore routing, OriginConnector connector, HlsToken tokens,
                          StaticFiles staticFiles, Duration touchEvery, Clock clock,
                          HitlessSettings hitless, ProtocolMeters meters, PlayerPages players) {
}

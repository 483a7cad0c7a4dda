package io.origincluster.dataplane.routing;

import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import java.net.InetSocketAddress;

/** Where one session of a stream goes: the pinned backend and the resolved address of one of its endpoints. */
public record Route(StreamKey key, Backend backend, Endpoint endpoint, InetSocketAddress address) {
}

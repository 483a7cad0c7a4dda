/**
 * The RTMP proxy ({@code PROXY_RTMP_SERVER}). {@link io.origincluster.dataplane.rtmp.ClientSession} is an RTMP
 * server to the client until it publishes or plays; the routing core picks the origin (with failover) and
 * {@link io.origincluster.dataplane.rtmp.OriginLeg} replays the client's connect, createStream and publish/play to
 * it as an RTMP client; {@link io.origincluster.dataplane.rtmp.Relay} then moves whole messages between the two,
 * each leg with its own chunk size, acknowledgements and message stream ids. Bytes-to-messages work lives in the
 * {@code codec} subpackage, which has no proxy logic and is shared with load clients and benchmarks.
 */
package io.origincluster.dataplane.rtmp;

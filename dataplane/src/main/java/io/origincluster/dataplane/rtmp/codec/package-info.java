/**
 * RTMP codecs with no routing or relay logic: handshake (simple and digest), chunk stream decoder/encoder
 * (bounded by {@link io.origincluster.dataplane.rtmp.codec.ChunkLimits}), AMF0 with AMF3-wrapped commands, command
 * and control messages. Malformed input raises {@link io.origincluster.dataplane.rtmp.codec.RtmpProtocolException}.
 * The public API is stable: load clients and benchmarks build on it.
 */
package io.origincluster.dataplane.rtmp.codec;

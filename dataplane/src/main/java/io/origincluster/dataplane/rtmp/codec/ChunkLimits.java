package io.origincluster.dataplane.rtmp.codec;

/**
 * Bounds on what a peer may make the decoder hold: the largest chunk size it may announce, the largest message
 * it may send, and how many chunk streams it may keep open. Anything beyond closes the session.
 */
public record ChunkLimits(int maxChunkSize, int maxMessageSize, int maxChunkStreams) {

    /** 64 KiB chunks (SRS's ceiling), 8 MiB messages (a large keyframe), 64 chunk streams. */
    public static final ChunkLimits DEFAULT = new ChunkLimits(65536, 8 << 20, 64);

    public ChunkLimits {
        if (maxChunkSize < 128 || maxMessageSize < 128 || maxChunkStreams < 2) {
            throw new IllegalArgumentException("chunk limits too small");
        }
    }
}

package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;

/**
 * Rewrites a manifest (HLS playlist, DASH MPD) so every URI the origin serves carries a routing token any replica
 * can verify. {@link PlaylistRelay} fetches the manifest whole and calls these.
 */
interface ManifestRewriter {

    /** True when {@code body} is this kind of manifest; anything else (an error page) passes through untouched. */
    boolean recognizes(ByteBuf body);

    /** The rewritten manifest; a malformed one fails with {@link IllegalArgumentException} naming the problem. */
    String rewrite(String manifest);

    /** One URI (a redirect's Location). */
    String rewriteUri(String uri);
}

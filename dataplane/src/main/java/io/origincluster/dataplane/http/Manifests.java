package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.http.dash.MpdRewriter;
import io.origincluster.dataplane.http.hls.PlaylistRewriter;
import java.nio.charset.StandardCharsets;

/** The two kinds of manifest the proxy signs: HLS playlists and DASH MPDs. */
final class Manifests {

    private static final byte[] EXTM3U = "#EXTM3U".getBytes(StandardCharsets.US_ASCII);

    private Manifests() {
    }

    static ManifestRewriter hls(PlaylistRewriter uris) {
        return new ManifestRewriter() {
            @Override
            public boolean recognizes(ByteBuf body) {
                int start = body.readerIndex();
                if (body.readableBytes() >= 3 && body.getUnsignedByte(start) == 0xEF
                        && body.getUnsignedByte(start + 1) == 0xBB && body.getUnsignedByte(start + 2) == 0xBF) {
                    start += 3;
                }
                return body.writerIndex() - start >= EXTM3U.length
                        && ByteBufUtil.equals(body, start, Unpooled.wrappedBuffer(EXTM3U), 0, EXTM3U.length);
            }

            @Override
            public String rewrite(String manifest) {
                return uris.rewrite(manifest);
            }

            @Override
            public String rewriteUri(String uri) {
                return uris.rewriteUri(uri);
            }
        };
    }

    static ManifestRewriter dash(PlaylistRewriter uris) {
        MpdRewriter mpd = new MpdRewriter(uris);
        return new ManifestRewriter() {
            @Override
            public boolean recognizes(ByteBuf body) {
                int n = Math.min(body.readableBytes(), 256);
                return MpdRewriter.looksLikeMpd(body.toString(body.readerIndex(), n, StandardCharsets.UTF_8));
            }

            @Override
            public String rewrite(String manifest) {
                return mpd.rewrite(manifest);
            }

            @Override
            public String rewriteUri(String uri) {
                return mpd.rewriteUri(uri);
            }
        };
    }
}

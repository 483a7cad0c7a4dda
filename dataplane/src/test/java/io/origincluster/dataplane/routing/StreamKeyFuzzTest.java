package io.origincluster.dataplane.routing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.origincluster.dataplane.http.hls.HlsToken;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Stream key derivation from what clients send: an HTTP request target and Host header (FLV/TS/HLS/DASH and
 * WHIP/WHEP URLs, decoded as the HTTP listener does, with the HLS segment token checked), and an RTMP tcUrl and
 * stream name. The input is lines: host, then target (HTTP) or tcUrl, then stream name (RTMP).
 * {@link IllegalArgumentException} is the clean refusal (a 400, a refused publish); a key that comes out must be
 * whole. Seeds in {@code StreamKeyFuzzTestInputs/<method>/}.
 */
class StreamKeyFuzzTest {

    private static final HlsToken TOKENS = new HlsToken("fuzz-token-key-of-some-length".getBytes(
            StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "60s")
    void httpTarget(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 2);
        String host = lines[0];
        String target = lines.length > 1 ? lines[1] : "/live/s.flv";
        try {
            QueryStringDecoder qsd = new QueryStringDecoder(target);
            Map<String, List<String>> params = qsd.parameters();
            check(StreamKey.fromHttp(host, qsd.path(), params));
            List<String> token = params.get(HlsToken.PARAM);
            if (token != null && !token.isEmpty()) {
                TOKENS.verify(token.get(0));
            }
        } catch (IllegalArgumentException | HlsToken.InvalidTokenException e) {
            // a clean refusal
        }
    }

    @FuzzTest(maxDuration = "60s")
    void rtmpUrl(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 2);
        try {
            check(StreamKey.fromRtmp(lines[0], lines.length > 1 ? lines[1] : "s"));
        } catch (IllegalArgumentException e) {
            // a clean refusal
        }
    }

    private static void check(StreamKey k) {
        if (k.vhost().isEmpty() || k.app().isEmpty() || k.stream().isEmpty()) {
            throw new IllegalStateException("a stream key with an empty part: " + k);
        }
        if (!StreamKey.of(k.vhost(), k.app(), k.stream()).equals(k)) {
            throw new IllegalStateException("a stream key that does not survive StreamKey.of: " + k);
        }
    }
}

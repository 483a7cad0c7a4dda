package io.origincluster.dataplane.http.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.routing.StreamKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HlsTokenTest {

    private static final byte[] KEY = "0123456789abcdef-shared".getBytes(StandardCharsets.UTF_8);
    private final HlsToken tokens = new HlsToken(KEY);
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void signedTokenVerifiesAndNamesKeyOriginAndExpiry() throws Exception {
        StreamKey key = StreamKey.of("v.example.com", "live/sub", "cam-1");
        String t = tokens.sign(key, "srs-1-svc-42", now.plusSeconds(60));
        assertThat(t).matches("[A-Za-z0-9_.-]+");
        HlsToken.Claims c = new HlsToken(KEY.clone()).verify(t);
        assertThat(c.key()).isEqualTo(key);
        assertThat(c.originId()).isEqualTo("srs-1-svc-42");
        assertThat(c.expired(now.plusSeconds(60))).isFalse();
        assertThat(c.expired(now.plusSeconds(61))).isTrue();
    }

    @Test
    void tamperedClaimsOrSignatureAreRefused() {
        String t = tokens.sign(StreamKey.of("", "live", "a"), "origin-a", now.plusSeconds(60));
        String[] p = t.split("\\.");
        String otherOrigin = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("evil".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> tokens.verify(p[0] + "." + p[1] + "." + otherOrigin + "." + p[3] + "." + p[4]))
                .isInstanceOf(HlsToken.InvalidTokenException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> tokens.verify(p[0] + "." + p[1] + "." + p[2] + "." + (Long.parseLong(p[3]) + 3600)
                + "." + p[4])).isInstanceOf(HlsToken.InvalidTokenException.class);
        char last = t.charAt(t.length() - 1);
        assertThatThrownBy(() -> tokens.verify(t.substring(0, t.length() - 1) + (last == 'A' ? 'B' : 'A')))
                .isInstanceOf(HlsToken.InvalidTokenException.class);
        assertThatThrownBy(() -> new HlsToken("another-key-0123456".getBytes(StandardCharsets.UTF_8)).verify(t))
                .isInstanceOf(HlsToken.InvalidTokenException.class);
    }

    @Test
    void malformedTokensAreRefusedWithoutExceptionsEscaping() {
        for (String bad : new String[] {"", ".", "abc", "v1.x.y.z.!!!", "v1..." + "." + "AAAA", "a.b",
                "x".repeat(5000), "v1.%%%.a.1.sig", "v2.a.b.1.c"}) {
            assertThatThrownBy(() -> tokens.verify(bad)).as(bad.length() > 40 ? "long token" : bad)
                    .isInstanceOf(HlsToken.InvalidTokenException.class);
        }
        assertThatThrownBy(() -> tokens.verify(null)).isInstanceOf(HlsToken.InvalidTokenException.class);
    }

    @Test
    void shortKeysAreRejected() {
        assertThatThrownBy(() -> new HlsToken(new byte[8])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rekeyedVerifierAcceptsEveryKeyOfTheRingAndSignsWithTheNewOne() throws Exception {
        byte[] old = "old-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] current = "current-key-0123456789ab".getBytes(StandardCharsets.UTF_8);
        byte[] next = "next-key-0123456789abcde".getBytes(StandardCharsets.UTF_8);
        StreamKey key = StreamKey.of("__defaultVhost__", "live", "s");
        HlsToken ring = new HlsToken(old);
        String byOld = ring.sign(key, "o", now.plusSeconds(60));
        String byNext = new HlsToken(next).sign(key, "o", now.plusSeconds(60));
        assertThatThrownBy(() -> ring.verify(byNext)).isInstanceOf(HlsToken.InvalidTokenException.class);

        ring.rekey(current, java.util.List.of(current, next, old));
        assertThat(ring.verify(byOld).originId()).isEqualTo("o");
        assertThat(ring.verify(byNext).originId()).isEqualTo("o");
        String byCurrent = ring.sign(key, "o", now.plusSeconds(60));
        assertThat(new HlsToken(current).verify(byCurrent).key()).isEqualTo(key);
        assertThatThrownBy(() -> new HlsToken(old).verify(byCurrent)).isInstanceOf(HlsToken.InvalidTokenException.class);

        ring.rekey(next, java.util.List.of(next, current));
        assertThatThrownBy(() -> ring.verify(byOld)).as("a key two rotations old is refused")
                .isInstanceOf(HlsToken.InvalidTokenException.class).hasMessageContaining("signature");
    }
}

package io.origincluster.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.routing.StreamKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StreamTokensTest {

    private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
    private final StreamTokens tokens = new StreamTokens("0123456789abcdef-secret");
    private final TokenGate gate = new TokenGate(tokens, Clock.fixed(NOW, ZoneOffset.UTC));

    private static StreamKey key(String app, String stream) {
        return StreamKey.of("", app, stream);
    }

    private AccessDenied.Status refusal(AccessRequest r) {
        try {
            gate.check(r).toCompletableFuture().join();
            return null;
        } catch (CompletionException e) {
            return AccessDenied.of(e).status();
        }
    }

    private static AccessRequest req(Action a, StreamKey k, String param, String bearer) {
        return new AccessRequest(a, "rtmp", k, param, bearer, "127.0.0.1");
    }

    @Test
    void aTokenAllowsItsActionOnItsStreamUntilItExpires() {
        String t = tokens.mint(Action.PUBLISH, "live/cam1", Duration.ofHours(1), NOW);
        assertThat(t).matches("[A-Za-z0-9._-]+"); // goes into a query or an SRT stream id unescaped
        assertThat(refusal(req(Action.PUBLISH, key("live", "cam1"), "token=" + t, null))).isNull();
        assertThat(refusal(req(Action.PUBLISH, key("live", "cam1"), "vhost=x&token=" + t + "&a=b", null))).isNull();
        assertThat(refusal(req(Action.PUBLISH, key("live", "cam1"), "", t))).as("bearer").isNull();
        assertThat(refusal(req(Action.PLAY, key("live", "cam1"), "token=" + t, null))).as("other action")
                .isEqualTo(AccessDenied.Status.FORBIDDEN);
        assertThat(refusal(req(Action.PUBLISH, key("live", "cam2"), "token=" + t, null))).as("other stream")
                .isEqualTo(AccessDenied.Status.FORBIDDEN);
        assertThat(refusal(req(Action.PUBLISH, StreamKey.of("example.com", "live", "cam1"), "token=" + t, null)))
                .as("app/stream names the default vhost only").isEqualTo(AccessDenied.Status.FORBIDDEN);
        assertThat(refusal(req(Action.PUBLISH, key("live", "cam1"), "", null))).as("none")
                .isEqualTo(AccessDenied.Status.UNAUTHORIZED);
        String old = tokens.mint(Action.PUBLISH, "live/cam1", Duration.ofSeconds(10), NOW.minusSeconds(11));
        assertThatThrownBy(() -> tokens.verify(old, NOW)).isInstanceOf(AccessDenied.class).hasMessage("token expired");
    }

    @Test
    void forgedTamperedAndForeignTokensAreRefused() {
        String t = tokens.mint(Action.PLAY, "live/cam1", Duration.ofHours(1), NOW);
        String[] p = t.split("\\.");
        String otherStream = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("live/*".getBytes());
        String tampered = String.join(".", p[0], p[1], p[2], otherStream, p[4]);
        String later = String.join(".", p[0], p[1], Long.toString(Long.parseLong(p[2]) + 86400), p[3], p[4]);
        String foreign = new StreamTokens("another-secret-of-16").mint(Action.PLAY, "live/cam1", Duration.ofHours(1),
                NOW);
        for (String bad : new String[] {tampered, later, foreign, "v1.play", "garbage", t + "x", "v2" + t.substring(2),
                "x".repeat(5000)}) {
            assertThat(refusal(req(Action.PLAY, key("live", "cam1"), "token=" + bad, null))).as(bad)
                    .isEqualTo(AccessDenied.Status.FORBIDDEN);
        }
    }

    @Test
    void aPrefixTokenCoversEveryStreamUnderIt() {
        String app = tokens.mint(Action.PLAY, "live/*", Duration.ofHours(1), NOW);
        String vhost = tokens.mint(Action.PLAY, "example.com/live/*", Duration.ofHours(1), NOW);
        assertThat(refusal(req(Action.PLAY, key("live", "a"), "token=" + app, null))).isNull();
        assertThat(refusal(req(Action.PLAY, key("live/sub", "b"), "token=" + app, null))).isNull();
        assertThat(refusal(req(Action.PLAY, key("other", "a"), "token=" + app, null)))
                .isEqualTo(AccessDenied.Status.FORBIDDEN);
        assertThat(refusal(req(Action.PLAY, StreamKey.of("example.com", "live", "a"), "token=" + vhost, null)))
                .isNull();
        assertThat(refusal(req(Action.PLAY, key("live", "a"), "token=" + vhost, null)))
                .isEqualTo(AccessDenied.Status.FORBIDDEN);
    }

    @Test
    void mintingRefusesWhatCouldNotBeMatched() {
        assertThatThrownBy(() -> tokens.mint(Action.PLAY, "cam1", Duration.ofHours(1), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.mint(Action.PLAY, "live/a", Duration.ZERO, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamTokens("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTokenCommandPrintsATokenTheProxyAccepts() {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var env = new io.origincluster.dataplane.config.Env(java.util.Map.of("PROXY_AUTH_SECRET",
                "0123456789abcdef-secret"));
        int rc = TokenCommand.run(new String[] {"token", "--stream", "live/cam1", "--action", "publish", "--ttl", "2h"},
                env, new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertThat(rc).as(err.toString()).isZero();
        StreamTokens.Grant g = tokens.verify(out.toString().trim(), Instant.now());
        assertThat(g.action()).isEqualTo(Action.PUBLISH);
        assertThat(g.stream()).isEqualTo("live/cam1");
        assertThat(Duration.between(Instant.now(), g.expires())).isBetween(Duration.ofMinutes(119),
                Duration.ofMinutes(121));
        err.reset();
        rc = TokenCommand.run(new String[] {"token", "--stream", "live/cam1", "--action", "publish"},
                new io.origincluster.dataplane.config.Env(java.util.Map.of()), new java.io.PrintStream(out),
                new java.io.PrintStream(err));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("PROXY_AUTH_SECRET");
        rc = TokenCommand.run(new String[] {"token", "--stream", "live/cam1", "--action", "watch"}, env,
                new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertThat(rc).isEqualTo(2);
    }
}

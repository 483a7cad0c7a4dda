package io.origincluster.dataplane.auth;

import io.origincluster.dataplane.routing.StreamKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 stream tokens: {@code v1.<action>.<expiry epoch s>.<base64url stream>.<base64url signature>}, the
 * signature covering everything before it. URL-safe as written, so it goes into a query, an RTMP stream name or an
 * SRT stream id unescaped.
 *
 * <p>The stream names what the token covers: {@code app/stream} (in the default vhost), {@code vhost/app/stream},
 * or either ending in {@code *} for every stream whose key starts with what precedes it ({@code live/*}).
 */
public final class StreamTokens {

    private static final String VERSION = "v1";
    private static final int MAX_TOKEN = 1024;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public StreamTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the token secret needs at least 16 characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** What a verified token allows. */
    public record Grant(Action action, String stream, Instant expires) {

        public boolean covers(StreamKey k) {
            String full = k.toString();
            String short_ = k.vhost().equals(StreamKey.DEFAULT_VHOST) ? k.app() + "/" + k.stream() : null;
            if (stream.endsWith("*")) {
                String prefix = stream.substring(0, stream.length() - 1);
                return full.startsWith(prefix) || short_ != null && short_.startsWith(prefix);
            }
            return stream.equals(full) || stream.equals(short_);
        }
    }

    /** A token for {@code action} on {@code stream}, valid for {@code ttl} from {@code now}. */
    public String mint(Action action, String stream, Duration ttl, Instant now) {
        checkStream(stream);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        long exp = now.plus(ttl).getEpochSecond();
        String body = VERSION + "." + action.wireName() + "." + exp + "."
                + B64.encodeToString(stream.getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(sign(body));
    }

    /** The grant of an authentic token; {@link AccessDenied} (403) for anything forged, malformed or expired. */
    public Grant verify(String token, Instant now) {
        if (token.length() > MAX_TOKEN) {
            throw forbidden("token too long");
        }
        int lastDot = token.lastIndexOf('.');
        String[] parts = token.split("\\.", -1);
        if (parts.length != 5 || !parts[0].equals(VERSION)) {
            throw forbidden("malformed token");
        }
        byte[] given;
        try {
            given = B64D.decode(parts[4]);
        } catch (IllegalArgumentException e) {
            throw forbidden("malformed token signature");
        }
        if (!MessageDigest.isEqual(given, sign(token.substring(0, lastDot)))) {
            throw forbidden("token signature does not match");
        }
        Action action;
        long exp;
        String stream;
        try {
            action = Action.parse(parts[1]);
            exp = Long.parseLong(parts[2]);
            stream = new String(B64D.decode(parts[3]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw forbidden("malformed token: " + e.getMessage());
        }
        if (now.getEpochSecond() >= exp) {
            throw forbidden("token expired");
        }
        return new Grant(action, stream, Instant.ofEpochSecond(exp));
    }

    static void checkStream(String stream) {
        if (stream == null || stream.isEmpty() || stream.length() > 1024) {
            throw new IllegalArgumentException("stream must be 1..1024 characters");
        }
        if (!stream.endsWith("*") && stream.indexOf('/') < 0) {
            throw new IllegalArgumentException("stream must be app/stream, vhost/app/stream or a prefix ending in *");
        }
        for (int i = 0; i < stream.length(); i++) {
            if (stream.charAt(i) < ' ') {
                throw new IllegalArgumentException("stream has a control character");
            }
        }
    }

    private byte[] sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static AccessDenied forbidden(String why) {
        return new AccessDenied(AccessDenied.Status.FORBIDDEN, why);
    }
}

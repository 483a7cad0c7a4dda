package io.origincluster.dataplane.http.hls;

import io.origincluster.dataplane.routing.StreamKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed query parameter that lets any proxy replica route an HLS segment without shared session state: it
 * names the stream key, the origin that wrote the playlist, and an expiry, signed with HMAC-SHA256.
 *
 * <p>Form: {@code v1.<b64url stream key>.<b64url origin id>.<expiry epoch seconds>.<b64url mac>}; every part is
 * URL-safe, so the token goes into a query string without escaping.
 */
public final class HlsToken {

    /** The query parameter carrying the token; the proxy strips it before forwarding to the origin. */
    public static final String PARAM = "oc_hls_token";

    private static final String VERSION = "v1";
    private static final int MAX_TOKEN_CHARS = 2048;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** What a valid token says. */
    public record Claims(StreamKey key, String originId, long expiresAtEpochSecond) {
        public boolean expired(Instant now) {
            return now.getEpochSecond() > expiresAtEpochSecond;
        }
    }

    /** Why a token was refused; the text is safe to show to the client. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message);
        }
    }

    /** The key that signs and every key a token may be signed with (the signing one first). */
    private record Keys(SecretKeySpec signing, List<SecretKeySpec> accepted) { }

    private volatile Keys keys;

    /** One fixed key (an explicit {@code PROXY_HLS_TOKEN_KEY}). */
    public HlsToken(byte[] secret) {
        this(secret, List.of());
    }

    /** Signs with {@code signing}; also accepts tokens signed with any of {@code alsoAccepted}. */
    public HlsToken(byte[] signing, List<byte[]> alsoAccepted) {
        this.keys = keys(signing, alsoAccepted);
    }

    /**
     * Replaces the keys (a shared key was rotated): tokens are signed with {@code signing} from now on, and those
     * signed with it or any of {@code alsoAccepted} verify. Safe from any thread.
     */
    public void rekey(byte[] signing, List<byte[]> alsoAccepted) {
        this.keys = keys(signing, alsoAccepted);
    }

    private static Keys keys(byte[] signing, List<byte[]> alsoAccepted) {
        SecretKeySpec s = spec(signing);
        List<SecretKeySpec> accepted = new ArrayList<>();
        accepted.add(s);
        for (byte[] k : alsoAccepted) {
            if (!Arrays.equals(k, signing)) {
                accepted.add(spec(k));
            }
        }
        return new Keys(s, List.copyOf(accepted));
    }

    private static SecretKeySpec spec(byte[] secret) {
        if (secret == null || secret.length < 16) {
            throw new IllegalArgumentException("HLS token key must be at least 16 bytes");
        }
        return new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    public String sign(StreamKey streamKey, String originId, Instant expiresAt) {
        // Newline separates the key's parts: none of them may contain control characters, while app may hold '/'.
        String keyParts = streamKey.vhost() + "\n" + streamKey.app() + "\n" + streamKey.stream();
        String payload = VERSION + "." + b64(keyParts) + "." + b64(originId) + "."
                + expiresAt.getEpochSecond();
        return payload + "." + B64.encodeToString(mac(keys.signing(), payload));
    }

    /**
     * Checks form and signature (in constant time); expiry is left to the caller, because a playlist request
     * only needs the stream key while a segment request also needs a fresh origin id.
     */
    public Claims verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidTokenException("missing or oversized token");
        }
        int lastDot = token.lastIndexOf('.');
        if (lastDot <= 0) {
            throw new InvalidTokenException("malformed token");
        }
        String payload = token.substring(0, lastDot);
        byte[] given;
        try {
            given = B64D.decode(token.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token signature");
        }
        boolean signed = false;
        for (SecretKeySpec k : keys.accepted()) {
            signed |= MessageDigest.isEqual(given, mac(k, payload)); // every key, so timing says nothing
        }
        if (!signed) {
            throw new InvalidTokenException("token signature does not match");
        }
        String[] parts = payload.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new InvalidTokenException("unsupported token version");
        }
        try {
            String[] kp = unb64(parts[1]).split("\n", -1);
            if (kp.length != 3) {
                throw new InvalidTokenException("token names no stream key");
            }
            StreamKey streamKey = StreamKey.of(kp[0], kp[1], kp[2]);
            String origin = unb64(parts[2]);
            if (origin.isEmpty()) {
                throw new InvalidTokenException("token names no origin");
            }
            return new Claims(streamKey, origin, Long.parseLong(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token claims");
        }
    }

    private static byte[] mac(SecretKeySpec key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(B64D.decode(s), StandardCharsets.UTF_8);
    }
}

package io.origincluster.dataplane.auth;

import java.util.Locale;

/** What a client asks to do with a stream. */
public enum Action {
    PUBLISH, PLAY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code publish} or {@code play}; anything else is an {@link IllegalArgumentException} naming it. */
    public static Action parse(String s) {
        if ("publish".equals(s)) {
            return PUBLISH;
        }
        if ("play".equals(s)) {
            return PLAY;
        }
        throw new IllegalArgumentException("action must be publish or play, got '" + s + "'");
    }
}

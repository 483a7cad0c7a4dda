package io.origincluster.dataplane.auth;

/** What an admitted session holds until it ends (a publisher lease); {@link #release} once when it ends. */
public interface Admitted {

    Admitted NOTHING_HELD = () -> { };

    void release();

    /** Runs {@code r} (on any thread) if what is held is lost while the session lives: its lease taken over. */
    default void onLost(Runnable r) {
    }
}

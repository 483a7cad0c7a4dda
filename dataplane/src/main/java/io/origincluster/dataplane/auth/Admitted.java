package io.origincluster.dataplane.auth;

/** What an admitted session holds until it ends (a publisher lease); {@link #release} once when it ends. */
public interface Admitted {

    Admitted NOTHING_HELD = () -> { };

    void release();
}

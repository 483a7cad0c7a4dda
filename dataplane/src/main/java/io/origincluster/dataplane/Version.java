package io.origincluster.dataplane;

/** What the proxy reports about itself; the signature mirrors SRS's so existing tooling recognises the API. */
public final class Version {
    public static final String SIGNATURE = "OriginCluster";
    public static final String VERSION = "0.1.0";
    public static final int MAJOR = 0;
    public static final int MINOR = 1;
    public static final int REVISION = 0;

    private Version() {
    }
}

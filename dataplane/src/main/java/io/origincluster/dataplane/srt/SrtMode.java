package io.origincluster.dataplane.srt;

/** What the caller asks for in {@code m=}: send a stream to the origin, or receive one (SRT's default). */
public enum SrtMode {
    PUBLISH, REQUEST;

    public String wireName() {
        return this == PUBLISH ? "publish" : "request";
    }
}

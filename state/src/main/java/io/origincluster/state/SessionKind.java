package io.origincluster.state;

/** Protocol sessions that must be found again by a later packet or request, possibly on another proxy. */
public enum SessionKind {
    HLS, WEBRTC, SRT
}

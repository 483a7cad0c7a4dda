package io.origincluster.state;

/** No live, non-draining backend with capacity can take the stream. */
public class NoBackendAvailableException extends RuntimeException {
    public NoBackendAvailableException(String streamKey) {
        super("no backend available for " + streamKey);
    }
}

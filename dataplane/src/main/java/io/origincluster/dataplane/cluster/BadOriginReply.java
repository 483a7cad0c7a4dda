package io.origincluster.dataplane.cluster;

/** An origin's API answered something the poller cannot use; the message says what and where. */
final class BadOriginReply extends RuntimeException {

    BadOriginReply(String message) {
        super(message);
    }

    BadOriginReply(String message, Throwable cause) {
        super(message, cause);
    }
}

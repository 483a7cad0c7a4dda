package io.origincluster.dataplane.api;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** An origin's reply, copied off its connection so that connection can close at once. */
record OriginResponse(HttpResponseStatus status, HttpHeaders headers, byte[] body) {

    boolean isSuccess() {
        return status.code() >= 200 && status.code() < 300;
    }
}

package io.origincluster.dataplane.rtsp.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.origincluster.dataplane.fuzz.Decoding;

/**
 * Hostile bytes on an RTSP connection: request and response heads, bodies and interleaved frames, in pieces.
 * {@link RtspProtocolException} is the clean refusal (the session closes); anything else is a finding. Seeds in
 * {@code RtspFuzzTestInputs/<method>/}.
 */
class RtspFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void requestsAndFrames(byte[] input) {
        Decoding.feed(input, RtspProtocolException.class, m -> { }, new RtspDecoder());
    }
}

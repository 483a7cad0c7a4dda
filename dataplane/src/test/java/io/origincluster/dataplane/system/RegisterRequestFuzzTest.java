package io.origincluster.dataplane.system;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hostile register and deregister bodies (SRS heartbeats) on the system API. {@link
 * RegisterRequest.InvalidRequestException} is the clean refusal (a 400 naming the field); anything else is a
 * finding. An accepted body must make a backend. Seeds in {@code RegisterRequestFuzzTestInputs/<method>/}.
 */
class RegisterRequestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "60s")
    void registerBody(byte[] body) {
        try {
            RegisterRequest r = RegisterRequest.parse(JSON, body);
            r.toBackend();
            if (r.backendId().isEmpty()) {
                throw new IllegalStateException("accepted a registration without an id");
            }
        } catch (RegisterRequest.InvalidRequestException e) {
            // a clean refusal
        }
        try {
            RegisterRequest.parseBackendId(JSON, body);
        } catch (RegisterRequest.InvalidRequestException e) {
            // a clean refusal
        }
    }
}

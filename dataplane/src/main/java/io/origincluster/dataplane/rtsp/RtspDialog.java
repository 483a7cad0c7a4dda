package io.origincluster.dataplane.rtsp;

import io.origincluster.dataplane.rtsp.codec.RtspMessage;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a session learns from the requests it forwards and the origin's answers: which method each outstanding
 * CSeq is (the newest {@link #MAX_IN_FLIGHT}: an origin that never answers a request only pushes out the oldest),
 * and the interleaved channels the origin's SETUP answers named, the only ones a client may send frames on.
 */
final class RtspDialog {

    static final int MAX_IN_FLIGHT = 16;

    private final Map<String, String> inFlight = new LinkedHashMap<>();
    private final BitSet clientChannels = new BitSet(256);

    void sent(RtspMessage request) {
        String cseq = request.header("CSeq");
        if (cseq == null) {
            return;
        }
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            inFlight.remove(inFlight.keySet().iterator().next());
        }
        inFlight.put(cseq, request.method());
    }

    /** The method a 2xx response answers (its SETUP channels recorded), or null for any other response. */
    String answered(RtspMessage response) {
        String cseq = response.header("CSeq");
        String method = cseq == null ? null : inFlight.remove(cseq);
        if (method == null || response.status() < 200 || response.status() >= 300) {
            return null;
        }
        if (method.equals("SETUP")) {
            for (int c : TransportHeader.channels(response.header("Transport"))) {
                clientChannels.set(c);
            }
        }
        return method;
    }

    boolean clientMaySend(int channel) {
        return clientChannels.get(channel);
    }

    int outstanding() {
        return inFlight.size();
    }

    void clear() {
        inFlight.clear();
    }
}

package io.origincluster.dataplane.api;

import io.netty.util.NetUtil;
import io.origincluster.dataplane.webrtc.Sdp;
import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where the proxy sends a session's media. An origin that registers a udp rtc endpoint (SRS: {@code udp://8000})
 * is reached there at its registered ip, because its own candidate often names the public address operators put in
 * its config; an origin without one (a full-ICE peer on an ephemeral port) is reached at its answer's UDP host
 * candidate. Only IP literals qualify, so the relay never resolves names on its event loop.
 */
final class OriginMedia {

    private OriginMedia() {
    }

    static InetSocketAddress address(Backend backend, Sdp.RewrittenAnswer answer) {
        List<Endpoint> rtc = backend.endpoints().getOrDefault(Protocol.RTC, List.of());
        for (Endpoint ep : rtc) {
            if (ep.transport().equals("udp")) {
                InetSocketAddress a = ep.resolve(backend.ip());
                if (isIp(a.getHostString())) {
                    return InetSocketAddress.createUnresolved(a.getHostString(), a.getPort());
                }
            }
        }
        if (answer.originHost() != null && isIp(answer.originHost())) {
            return InetSocketAddress.createUnresolved(answer.originHost(), answer.originPort());
        }
        return null;
    }

    private static boolean isIp(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }
}

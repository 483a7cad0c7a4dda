package io.origincluster.dataplane.api;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Which host the proxy writes into SDP answer candidates: the configured {@code PROXY_WEBRTC_CANDIDATE}; else the
 * Host header of the signalling request when it is an IP literal (the client evidently reaches the proxy there);
 * else this machine's first non-loopback IPv4 address; else 127.0.0.1.
 */
final class AdvertisedHost {

    private final String configured;
    private final String machineDefault;

    AdvertisedHost(String configured) {
        this.configured = configured == null || configured.isEmpty() ? null : configured;
        this.machineDefault = this.configured != null ? this.configured : firstNonLoopbackIpv4();
    }

    String forRequest(String hostHeader) {
        if (configured != null) {
            return configured;
        }
        String host = hostOf(hostHeader);
        if (host != null && NetUtil.isValidIpV4Address(host) && !host.equals("0.0.0.0")) {
            return host;
        }
        if (host != null && NetUtil.isValidIpV6Address(host) && !host.equals("::")) {
            return host;
        }
        return machineDefault;
    }

    static String hostOf(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 1 ? h.substring(1, close) : null;
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
            return h.substring(0, colon);
        }
        return h;
    }

    private static String firstNonLoopbackIpv4() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }
}

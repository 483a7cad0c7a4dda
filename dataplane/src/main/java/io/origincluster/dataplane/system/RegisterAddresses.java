package io.origincluster.dataplane.system;

import io.origincluster.dataplane.config.CidrList;
import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import java.util.List;

/**
 * The addresses a registration would make every proxy dial: its {@code ip} and every endpoint naming its own host.
 * All must be inside {@code PROXY_REGISTER_ALLOWED_CIDRS}, so a registration cannot point the proxies at any
 * address on the internet or inside another network.
 */
final class RegisterAddresses {

    private RegisterAddresses() {
    }

    /** The first address outside {@code allowed}, or null when all are inside. */
    static String outside(Backend b, CidrList allowed) {
        if (allowed.allowsAnyHost()) {
            return null;
        }
        if (!allowed.contains(b.ip())) {
            return b.ip();
        }
        for (List<Endpoint> eps : b.endpoints().values()) {
            for (Endpoint ep : eps) {
                String host = ep.resolve(b.ip()).getHostString();
                if (!allowed.contains(host)) {
                    return host;
                }
            }
        }
        return null;
    }
}

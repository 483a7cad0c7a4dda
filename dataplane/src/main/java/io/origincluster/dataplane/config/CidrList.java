package io.origincluster.dataplane.config;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of address ranges ({@code 10.0.0.0/8,fd00::/8,127.0.0.1}), for {@code PROXY_REGISTER_ALLOWED_CIDRS}.
 * Only IP literals are matched; nothing here resolves a name (it runs on event loops).
 */
public final class CidrList {

    /** Private ranges (RFC 1918, RFC 4193) and loopback. */
    public static final String PRIVATE = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8,fc00::/7,::1/128";

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;
    private final String text;

    private CidrList(List<Range> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    /** @throws IllegalArgumentException naming the bad entry */
    public static CidrList parse(String text) {
        List<Range> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            String ip = slash < 0 ? e : e.substring(0, slash);
            byte[] net = NetUtil.createByteArrayFromIpAddressString(ip);
            if (net == null) {
                throw new IllegalArgumentException("'" + e + "' is not an IP address or CIDR range");
            }
            int bits = net.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("'" + e + "' has a bad prefix length");
                }
                if (bits < 0 || bits > net.length * 8) {
                    throw new IllegalArgumentException("'" + e + "' has a prefix length outside 0.." + net.length * 8);
                }
            }
            out.add(new Range(net, bits));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no range given");
        }
        return new CidrList(List.copyOf(out), text);
    }

    /** True when {@code ip} is an IP literal inside one of the ranges (IPv4-mapped IPv6 counts as IPv4). */
    public boolean contains(String ip) {
        String s = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        byte[] a = NetUtil.createByteArrayFromIpAddressString(s);
        if (a == null) {
            return false;
        }
        if (a.length == 16 && isMappedV4(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        }
        for (Range r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** True when a range is {@code /0}: host names are allowed too (they cannot be checked without DNS). */
    public boolean allowsAnyHost() {
        return ranges.stream().anyMatch(r -> r.bits() == 0);
    }

    private static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return text;
    }
}

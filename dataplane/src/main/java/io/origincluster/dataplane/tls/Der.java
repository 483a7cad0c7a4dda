package io.origincluster.dataplane.tls;

import io.origincluster.dataplane.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** The few DER pieces needed to wrap PKCS#1 and SEC1 keys as PKCS#8. */
final class Der {
    private Der() {
    }

    static byte[] integerZero() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return tlv(0x30, out.toByteArray());
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /**
     * The named-curve OID (the whole TLV) inside a SEC1 ECPrivateKey:
     * {@code SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID, [1] BIT STRING }}. Bounds-checked throughout.
     */
    static byte[] sec1CurveOid(byte[] der, String variable) {
        int[] at = {0};
        int end = header(der, at, 0x30, der.length, variable);
        while (at[0] < end) {
            int tag = der[at[0]] & 0xff;
            int start = at[0];
            int contentEnd = header(der, at, tag, end, variable);
            if (tag == 0xa0) {
                int oidStart = at[0];
                header(der, at, 0x06, contentEnd, variable);
                return Arrays.copyOfRange(der, oidStart, contentEnd);
            }
            at[0] = contentEnd;
            if (at[0] <= start) {
                break;
            }
        }
        throw new ConfigException(variable, "the EC PRIVATE KEY names no curve: use a PKCS#8 key");
    }

    /** Reads a tag and length at {@code at[0]}, leaves {@code at[0]} on the content, returns its end. */
    private static int header(byte[] der, int[] at, int tag, int limit, String variable) {
        int i = at[0];
        if (i + 2 > limit || (der[i] & 0xff) != tag) {
            throw new ConfigException(variable, "malformed DER in the private key");
        }
        int len = der[i + 1] & 0xff;
        i += 2;
        if (len >= 0x80) {
            int bytes = len & 0x7f;
            if (bytes < 1 || bytes > 3 || i + bytes > limit) {
                throw new ConfigException(variable, "malformed DER in the private key");
            }
            len = 0;
            for (int k = 0; k < bytes; k++) {
                len = len << 8 | der[i++] & 0xff;
            }
        }
        if (i + len > limit) {
            throw new ConfigException(variable, "malformed DER in the private key");
        }
        at[0] = i;
        return i + len;
    }
}

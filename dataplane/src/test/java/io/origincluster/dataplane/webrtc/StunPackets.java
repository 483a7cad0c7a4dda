package io.origincluster.dataplane.webrtc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Hand-built STUN messages for tests (RFC 5389 layout, attribute values padded to 4 bytes). */
final class StunPackets {

    private final ByteArrayOutputStream attrs = new ByteArrayOutputStream();
    private int type = 0x0001;
    private int cookie = 0x2112A442;

    static StunPackets bindingRequest() {
        return new StunPackets();
    }

    StunPackets type(int t) {
        this.type = t;
        return this;
    }

    StunPackets cookie(int c) {
        this.cookie = c;
        return this;
    }

    StunPackets attribute(int attrType, byte[] value) {
        attrs.write(attrType >> 8);
        attrs.write(attrType);
        attrs.write(value.length >> 8);
        attrs.write(value.length);
        attrs.writeBytes(value);
        for (int i = value.length; i % 4 != 0; i++) {
            attrs.write(0);
        }
        return this;
    }

    StunPackets username(String u) {
        return attribute(0x0006, u.getBytes(StandardCharsets.UTF_8));
    }

    /** The attributes real ICE agents append after USERNAME: PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT. */
    StunPackets iceTail() {
        attribute(0x0024, new byte[] {0x6e, 0x7f, 0x1e, (byte) 0xff});
        attribute(0x0008, new byte[20]);
        return attribute(0x8028, new byte[4]);
    }

    byte[] build() {
        byte[] a = attrs.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(20 + a.length);
        b.putShort((short) type).putShort((short) a.length).putInt(cookie);
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        b.put(tid).put(a);
        return b.array();
    }

    /**
     * The message signed as an ICE agent signs it: MESSAGE-INTEGRITY (HMAC-SHA1 keyed with {@code password} over
     * the message with its length covering the integrity attribute), then a FINGERPRINT the HMAC must not cover.
     */
    byte[] buildSigned(String password) throws Exception {
        byte[] a = attrs.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(20 + a.length + 24 + 8);
        b.putShort((short) type).putShort((short) (a.length + 24)).putInt(cookie);
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        b.put(tid).put(a);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        mac.update(b.array(), 0, 20 + a.length);
        byte[] hmac = mac.doFinal();
        b.putShort((short) 0x0008).putShort((short) 20).put(hmac);
        b.putShort(2, (short) (a.length + 24 + 8));
        b.putShort((short) 0x8028).putShort((short) 4).putInt(0x12345678);
        return b.array();
    }
}

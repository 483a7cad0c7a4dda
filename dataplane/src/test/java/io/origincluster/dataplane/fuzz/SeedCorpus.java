package io.origincluster.dataplane.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.origincluster.dataplane.rtmp.codec.Amf0;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.Handshake;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.srt.SrtHandshake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the binary seeds of the fuzz corpus (RTMP handshake and chunk streams, AMF0, STUN, SRT handshakes) with
 * the proxy's own encoders, as a real client would send them. Text seeds (SDP, playlists, MPDs, JSON, URLs, RTSP)
 * are committed as written by hand. Run once when a format changes (docs/fuzzing.md); not a test.
 */
public final class SeedCorpus {

    private static final Path ROOT = Path.of("src/test/resources/io/origincluster/dataplane");

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        byte[] c0c1 = ByteBufUtil.getBytes(Handshake.clientHello(ByteBufAllocator.DEFAULT));
        byte[] c2 = new byte[Handshake.PACKET];
        byte[] connect = chunks(command("connect", 1, Map.of("app", "live", "tcUrl", "rtmp://127.0.0.1/live",
                "flashVer", "FMLE/3.0", "objectEncoding", 0.0)), command("releaseStream", 2, null, "cam1"),
                command("createStream", 4, null), command("publish", 5, null, "cam1?token=abc", "live"));
        write("rtmp/codec/RtmpFuzzTestInputs/handshake/simple-then-connect", 0, c0c1, c2, connect);
        write("rtmp/codec/RtmpFuzzTestInputs/handshake/in-small-pieces", 7, c0c1, c2, connect);
        write("rtmp/codec/RtmpFuzzTestInputs/handshake/digest-c1", 0, new byte[] {3},
                Handshake.digestClientC1(Handshake.Scheme.DIGEST_FIRST), c2);
        write("rtmp/codec/RtmpFuzzTestInputs/chunkStream/connect-publish", 0, connect);
        write("rtmp/codec/RtmpFuzzTestInputs/chunkStream/connect-publish-pieces", 3, connect);
        byte[] media = chunks(new RtmpMessage(6, RtmpMessage.VIDEO, 40, 1, Unpooled.wrappedBuffer(new byte[300])),
                new RtmpMessage(4, RtmpMessage.AUDIO, 2_000_000_000L, 1, Unpooled.wrappedBuffer(new byte[20])));
        write("rtmp/codec/RtmpFuzzTestInputs/chunkStream/media-extended-timestamp", 0, media);
        byte[] chunkSize = chunks(ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, 4096),
                command("play", 3, null, "cam1"));
        write("rtmp/codec/RtmpFuzzTestInputs/chunkStream/set-chunk-size", 0, chunkSize);
        write("rtmp/codec/RtmpFuzzTestInputs/amf0/connect", amf0("connect", 1.0, Map.of("app", "live",
                "tcUrl", "rtmp://h/live", "fpad", false, "videoCodecs", 252.0)));
        write("rtmp/codec/RtmpFuzzTestInputs/amf0/values", amf0(null, "s", true, List.of("a", 2.0),
                new Amf0.EcmaArray()));
        write("rtmp/codec/RtmpFuzzTestInputs/amf3/values", new byte[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x05,
            0x40, 0x09, 0x21, (byte) 0xfb, 0x54, 0x44, 0x2d, 0x18, 0x06, 0x07, 'h', 'e', 'l', 'l', 'o', 0x06, 0x00});
        write("rtmp/codec/RtmpFuzzTestInputs/amf3/u29-max", new byte[] {0x04, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, 0x06, (byte) 0x81, 0x01});

        write("webrtc/WebRtcFuzzTestInputs/stun/binding-request", stun(0x0001, "abcd:efgh", true));
        write("webrtc/WebRtcFuzzTestInputs/stun/binding-request-bare", stun(0x0001, "u1:u2", false));
        write("webrtc/WebRtcFuzzTestInputs/stun/binding-response", stun(0x0101, "x:y", true));

        write("srt/SrtFuzzTestInputs/handshake/induction", srt(SrtHandshake.TYPE_INDUCTION, 4, null));
        write("srt/SrtFuzzTestInputs/handshake/conclusion-with-stream-id", srt(SrtHandshake.TYPE_CONCLUSION, 5,
                "#!::r=live/cam1,m=publish"));
        write("srt/SrtFuzzTestInputs/handshake/conclusion-plain-stream-id", srt(SrtHandshake.TYPE_CONCLUSION, 5,
                "live/livestream"));
    }

    private static RtmpMessage command(String name, double tid, Object cmd, Object... args) {
        List<Object> values = new java.util.ArrayList<>(List.of(name, tid));
        values.add(cmd == null ? null : new LinkedHashMap<>((Map<?, ?>) cmd));
        values.addAll(List.of(args));
        ByteBuf payload = Unpooled.buffer();
        Amf0.encodeAll(payload, values);
        return new RtmpMessage(3, RtmpMessage.COMMAND_AMF0, 0, name.equals("publish") || name.equals("play") ? 1 : 0,
                payload);
    }

    private static byte[] amf0(Object... values) {
        ByteBuf out = Unpooled.buffer();
        Amf0.encodeAll(out, java.util.Arrays.asList(values));
        return ByteBufUtil.getBytes(out);
    }

    /** The messages as the proxy's chunk encoder writes them (128-byte chunks until a Set Chunk Size). */
    private static byte[] chunks(RtmpMessage... messages) {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RtmpMessage m : messages) {
            ch.writeOutbound(m);
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                out.writeBytes(ByteBufUtil.getBytes(b));
                b.release();
            }
        }
        ch.finishAndReleaseAll();
        return out.toByteArray();
    }

    /** A STUN message with USERNAME and, optionally, PRIORITY, MESSAGE-INTEGRITY and FINGERPRINT. */
    private static byte[] stun(int type, String username, boolean iceTail) {
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        attribute(attrs, 0x0006, username.getBytes(StandardCharsets.US_ASCII));
        if (iceTail) {
            attribute(attrs, 0x0024, new byte[] {0x6e, 0x7f, 0x1e, (byte) 0xff});
            attribute(attrs, 0x0008, new byte[20]);
            attribute(attrs, 0x8028, new byte[4]);
        }
        byte[] a = attrs.toByteArray();
        return ByteBuffer.allocate(20 + a.length).putShort((short) type).putShort((short) a.length)
                .putInt(0x2112A442).put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}).put(a).array();
    }

    private static void attribute(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type >> 8);
        out.write(type);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
        for (int i = value.length; i % 4 != 0; i++) {
            out.write(0);
        }
    }

    private static byte[] srt(int type, int version, String streamId) {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 0, 0, version, 0, version == 5 ? 0x5 : SrtHandshake.UDT_DGRAM, 1000, 1500, 8192, type,
                0x1234, 0x5678, InetAddress.getLoopbackAddress());
        if (version == 5) {
            b.writeShort(SrtHandshake.EXT_HSREQ).writeShort(3).writeInt(0x00010501).writeInt(0xBF)
                    .writeInt(0x00780000);
        }
        if (streamId != null) {
            SrtHandshake.writeStreamIdExtension(b, streamId);
        }
        return ByteBufUtil.getBytes(b);
    }

    /** A decoder seed: the piece-size byte of {@link Decoding}, then the bytes. */
    private static void write(String name, int pieceSize, byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(pieceSize);
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        write(name, out.toByteArray());
    }

    private static void write(String name, byte[] bytes) throws IOException {
        Path p = ROOT.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }
}

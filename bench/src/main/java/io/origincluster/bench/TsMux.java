package io.origincluster.bench;

import io.netty.buffer.ByteBuf;

/**
 * MPEG-TS for the bench's live origin: one program, H.264 video on {@link #VIDEO_PID} and AAC on
 * {@link #AUDIO_PID}, the shape SRS's HTTP-TS has (PAT and PMT at the start and before every keyframe, one PES per
 * frame, a PCR and the random-access flag on a keyframe's first packet, a frame's last packet padded with
 * adaptation-field stuffing). Payload bytes are the caller's; only the framing is real. One instance per stream:
 * continuity counters run per PID across everything it writes.
 */
final class TsMux {

    static final int PACKET = 188;
    static final int PMT_PID = 0x1000;
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    private static final int STREAM_TYPE_H264 = 0x1b;
    private static final int STREAM_TYPE_AAC = 0x0f;

    private int patCc;
    private int pmtCc;
    private int videoCc;
    private int audioCc;

    /** PAT then PMT, two packets. */
    void tables(ByteBuf out) {
        tables(out, patCc++, pmtCc++);
    }

    /**
     * The tables a player joining now gets first: the counters of the last ones sent, so for the players already
     * there nothing changes and for the new one the next tables are one step on.
     */
    void tablesForJoin(ByteBuf out) {
        tables(out, patCc - 1, pmtCc - 1);
    }

    private static void tables(ByteBuf out, int patCc, int pmtCc) {
        section(out, 0, patCc, new byte[] {
            0x00, (byte) 0xb0, 0x0d, 0x00, 0x01, (byte) 0xc1, 0x00, 0x00,
            0x00, 0x01, (byte) (0xe0 | PMT_PID >> 8), (byte) PMT_PID});
        section(out, PMT_PID, pmtCc, new byte[] {
            0x02, (byte) 0xb0, 0x17, 0x00, 0x01, (byte) 0xc1, 0x00, 0x00,
            (byte) (0xe0 | VIDEO_PID >> 8), (byte) VIDEO_PID, (byte) 0xf0, 0x00,
            STREAM_TYPE_H264, (byte) (0xe0 | VIDEO_PID >> 8), (byte) VIDEO_PID, (byte) 0xf0, 0x00,
            STREAM_TYPE_AAC, (byte) (0xe0 | AUDIO_PID >> 8), (byte) AUDIO_PID, (byte) 0xf0, 0x00});
    }

    /**
     * One video frame as a PES (PTS = DTS = {@code ms} in 90 kHz, length 0 as video PES usually have): an access
     * unit delimiter and one NAL unit of {@code nal} (type 5 for a keyframe, else 1), behind start codes.
     */
    void video(ByteBuf out, long ms, boolean key, byte[] nal) {
        long ts = ms * 90;
        byte[] es = new byte[6 + 4 + 1 + nal.length];
        es[3] = 1;
        es[4] = 0x09;
        es[5] = (byte) 0xf0;
        es[9] = 1;
        es[10] = (byte) (key ? 0x65 : 0x41);
        System.arraycopy(nal, 0, es, 11, nal.length);
        byte[] pes = pes(0xe0, ts, ts, es, false);
        videoCc = packetize(out, VIDEO_PID, videoCc, pes, key ? ts : -1);
    }

    /** One AAC frame as a PES (PTS only, PES length set): an ADTS header then {@code raw}. */
    void audio(ByteBuf out, long ms, byte[] raw) {
        int len = raw.length + 7;
        byte[] es = new byte[len];
        es[0] = (byte) 0xff;
        es[1] = (byte) 0xf1;
        es[2] = 0x50; // AAC LC, 44.1 kHz
        es[3] = (byte) (0x80 | (len >> 11) & 3);
        es[4] = (byte) (len >> 3);
        es[5] = (byte) ((len & 7) << 5 | 0x1f);
        es[6] = (byte) 0xfc;
        System.arraycopy(raw, 0, es, 7, raw.length);
        audioCc = packetize(out, AUDIO_PID, audioCc, pes(0xc0, ms * 90, -1, es, true), -1);
    }

    private static byte[] pes(int streamId, long pts, long dts, byte[] es, boolean sized) {
        int headerData = dts >= 0 ? 10 : 5;
        byte[] p = new byte[9 + headerData + es.length];
        p[2] = 1;
        p[3] = (byte) streamId;
        int length = 3 + headerData + es.length;
        if (sized && length <= 0xffff) {
            p[4] = (byte) (length >> 8);
            p[5] = (byte) length;
        }
        p[6] = (byte) 0x80;
        p[7] = (byte) (dts >= 0 ? 0xc0 : 0x80);
        p[8] = (byte) headerData;
        timestamp(p, 9, dts >= 0 ? 0x30 : 0x20, pts);
        if (dts >= 0) {
            timestamp(p, 14, 0x10, dts);
        }
        System.arraycopy(es, 0, p, 9 + headerData, es.length);
        return p;
    }

    private static void timestamp(byte[] b, int at, int prefix, long v) {
        b[at] = (byte) (prefix | (v >> 29) & 0x0e | 1);
        b[at + 1] = (byte) (v >> 22);
        b[at + 2] = (byte) ((v >> 14) & 0xfe | 1);
        b[at + 3] = (byte) (v >> 7);
        b[at + 4] = (byte) ((v << 1) & 0xfe | 1);
    }

    /**
     * Splits a PES into packets; the first carries PUSI and, when {@code pcr} is not negative, an adaptation field
     * with the random-access flag and that PCR (90 kHz base). Returns the next continuity counter.
     */
    private static int packetize(ByteBuf out, int pid, int cc, byte[] pes, long pcr) {
        int at = 0;
        boolean first = true;
        while (at < pes.length) {
            int left = pes.length - at;
            int adaptation = first && pcr >= 0 ? 8 : 0; // length byte + flags + 6 bytes of PCR
            int room = PACKET - 4 - adaptation;
            if (left < room) {
                // the last packet: the adaptation field grows to fill what the payload leaves
                adaptation = PACKET - 4 - left;
            }
            out.writeByte(0x47);
            out.writeByte((first ? 0x40 : 0) | pid >> 8);
            out.writeByte(pid);
            out.writeByte((adaptation > 0 ? 0x30 : 0x10) | cc & 0x0f);
            if (adaptation > 0) {
                out.writeByte(adaptation - 1);
                int written = 0;
                if (adaptation > 1) {
                    boolean withPcr = first && pcr >= 0;
                    out.writeByte(withPcr ? 0x50 : 0x00);
                    written = 1;
                    if (withPcr) {
                        out.writeInt((int) (pcr >> 1));
                        out.writeByte((int) ((pcr & 1) << 7 | 0x7e));
                        out.writeByte(0);
                        written += 6;
                    }
                }
                for (int i = written; i < adaptation - 1; i++) {
                    out.writeByte(0xff);
                }
            }
            int n = Math.min(left, PACKET - 4 - adaptation);
            out.writeBytes(pes, at, n);
            at += n;
            cc++;
            first = false;
        }
        return cc & 0x0f;
    }

    /** A PSI section in one packet: pointer field, the section, its CRC, then 0xff stuffing. */
    private static void section(ByteBuf out, int pid, int cc, byte[] section) {
        int start = out.writerIndex();
        out.writeByte(0x47).writeByte(0x40 | pid >> 8).writeByte(pid).writeByte(0x10 | cc & 0x0f);
        out.writeByte(0);
        out.writeBytes(section);
        out.writeInt(crc32(section));
        while (out.writerIndex() - start < PACKET) {
            out.writeByte(0xff);
        }
    }

    /** CRC-32/MPEG-2: polynomial 0x04C11DB7, not reflected, initial value all ones, no final xor. */
    static int crc32(byte[] data) {
        int crc = 0xffffffff;
        for (byte b : data) {
            crc ^= (b & 0xff) << 24;
            for (int i = 0; i < 8; i++) {
                crc = crc < 0 ? crc << 1 ^ 0x04c11db7 : crc << 1;
            }
        }
        return crc;
    }
}

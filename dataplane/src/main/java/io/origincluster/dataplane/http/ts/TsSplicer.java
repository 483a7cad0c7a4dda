package io.origincluster.dataplane.http.ts;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.BitSet;

/**
 * Keeps one HTTP-TS player's stream continuous when its packets start coming from another origin leg: the TS
 * counterpart of {@code PlayerTimeline}.
 *
 * <p>Before the first {@link #splice()} packets pass untouched. After it, the new leg's packets are dropped until
 * the splice point: its PAT and PMT known, then a PES starting a video keyframe (the first audio PES for a stream
 * without video). There the client gets the new leg's PAT and PMT, then that packet; the keyframe's DTS is mapped to
 * one frame interval after the last DTS sent, and every PTS, DTS (90 kHz) and PCR (27 MHz) after it is shifted by
 * the same offset. Each PID starts at its next unit start, and its first packet carries the
 * {@code discontinuity_indicator} (set in its adaptation field, or in an adaptation-field-only packet put before it
 * when it has none), since continuity counters and the PCR jump there.
 *
 * <p>The client only ever gets whole PES packets: the packets of each elementary stream are held until the PES they
 * carry is complete (its PES_packet_length reached, or the next PES of that stream starting), and a splice drops the
 * incomplete ones of the old leg, so a decoder never gets a frame cut short by a dying origin. That delays each
 * stream by at most one PES (one video frame; a bounded hold of {@value #MAX_UNIT_BYTES} bytes per stream).
 *
 * <p>Packets are taken where they lie in the origin's read buffer and never changed there: a packet whose timestamps
 * or flags change is copied first (into a small scratch buffer shared by many such copies). A held PES is kept as
 * runs of consecutive packets of one buffer (one reference per run, not per packet) and handed on run by run.
 *
 * <p>Only single-packet PAT and PMT sections are understood (what SRS, nginx and ffmpeg send). Not thread-safe: one
 * instance per player, on its event loop.
 */
public final class TsSplicer {

    private static final int PACKET = TsPacketReader.PACKET;
    private static final long PTS_MOD = 1L << 33;
    private static final long PCR_MOD = PTS_MOD * 300;
    private static final long DEFAULT_INTERVAL = 3600;
    private static final long MAX_INTERVAL = 18000;
    private static final int SCRATCH_PACKETS = 16;
    /** Past this a PES is passed on before it is complete (nothing real is this large). */
    static final int MAX_UNIT_BYTES = 4 << 20;

    /**
     * Receives whole packets for the client, several at a time: {@code length} bytes of {@code buf} from
     * {@code index}. Borrowed for the call only: copy them, or retain {@code buf}.
     */
    public interface RunOutput {
        void packets(ByteBuf buf, int index, int length);
    }

    /** What one leg's packets said so far: its program tables and which PIDs carry what. */
    public static final class LegState {
        private int pmtPid = -1;
        private int videoPid = -1;
        private boolean hevc;
        private final BitSet esPids = new BitSet(8192);
        private ByteBuf pat;
        private ByteBuf pmt;

        /**
         * Reads the PSI of the packet at {@code at} of {@code p}, of this leg (keeps copies of the last PAT and PMT);
         * {@code p} is only read.
         */
        public void observe(ByteBuf p, int at, ByteBufAllocator alloc) {
            int header = p.getInt(at);
            int pid = pid(header);
            if (!pusi(header) || (pid != 0 && pid != pmtPid)) {
                return;
            }
            int off = payloadOffset(p, at);
            if (off < 0) {
                return;
            }
            int sec = off + 1 + p.getUnsignedByte(at + off);
            if (sec + 8 > PACKET) {
                return;
            }
            int end = sec + 3 + (p.getUnsignedShort(at + sec + 1) & 0x0fff);
            if (end > PACKET || end - 4 < sec + 8) {
                return; // a section over several packets: not understood
            }
            int table = p.getUnsignedByte(at + sec);
            if (pid == 0 && table == 0x00) {
                for (int i = sec + 8; i + 4 <= end - 4; i += 4) {
                    int program = p.getUnsignedShort(at + i);
                    if (program != 0) {
                        int newPmt = p.getUnsignedShort(at + i + 2) & 0x1fff;
                        if (newPmt != pmtPid) {
                            pmtPid = newPmt;
                            pmt = release(pmt);
                        }
                        pat = replace(pat, p, at, alloc);
                        break;
                    }
                }
            } else if (pid == pmtPid && table == 0x02) {
                esPids.clear();
                videoPid = -1;
                int infoLength = p.getUnsignedShort(at + sec + 10) & 0x0fff;
                for (int i = sec + 12 + infoLength; i + 5 <= end - 4; ) {
                    int type = p.getUnsignedByte(at + i);
                    int es = p.getUnsignedShort(at + i + 1) & 0x1fff;
                    esPids.set(es);
                    if (videoPid < 0 && isVideo(type)) {
                        videoPid = es;
                        hevc = type == 0x24;
                    }
                    i += 5 + (p.getUnsignedShort(at + i + 3) & 0x0fff);
                }
                pmt = replace(pmt, p, at, alloc);
            }
        }

        /** PAT and PMT known. */
        public boolean ready() {
            return pat != null && pmt != null;
        }

        /** True for the packet at {@code at} of {@code p} if a player can start this leg there (see {@link TsSplicer}). */
        public boolean isStart(ByteBuf p, int at) {
            if (!ready() || !pusi(p, at)) {
                return false;
            }
            int pid = pid(p.getInt(at));
            if (videoPid >= 0) {
                return pid == videoPid && isKeyframe(p, at);
            }
            return esPids.get(pid);
        }

        public void release() {
            pat = release(pat);
            pmt = release(pmt);
        }

        private boolean isKeyframe(ByteBuf p, int at) {
            int afc = (p.getUnsignedByte(at + 3) >> 4) & 3;
            if ((afc & 2) != 0 && p.getUnsignedByte(at + 4) > 0 && (p.getUnsignedByte(at + 5) & 0x40) != 0) {
                return true; // random_access_indicator
            }
            int off = payloadOffset(p, at);
            if (off < 0) {
                return false;
            }
            for (int i = off; i + 3 < PACKET; i++) {
                if (p.getByte(at + i) == 0 && p.getByte(at + i + 1) == 0 && p.getByte(at + i + 2) == 1) {
                    int nal = p.getUnsignedByte(at + i + 3);
                    if (hevc ? ((nal >> 1) & 0x3f) >= 16 && ((nal >> 1) & 0x3f) <= 21 : (nal & 0x1f) == 5) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean isVideo(int streamType) {
            return streamType == 0x01 || streamType == 0x02 || streamType == 0x10 || streamType == 0x1b
                    || streamType == 0x24 || streamType == 0x33;
        }

        private static ByteBuf replace(ByteBuf old, ByteBuf p, int at, ByteBufAllocator alloc) {
            release(old);
            return copy(p, at, alloc);
        }

        private static ByteBuf release(ByteBuf b) {
            if (b != null) {
                b.release();
            }
            return null;
        }
    }

    private final ByteBufAllocator alloc;
    /** The held PES per elementary stream PID, in the order first seen (a program has a handful). */
    private HeldPes[] units = new HeldPes[0];
    /** Copies of the packets this changes (the origin's read buffers are never written), packet after packet. */
    private ByteBuf scratch;
    private final BitSet started = new BitSet(8192);
    private long offset;
    private long lastDts = -1;
    private long lastVideoDtsIn = -1;
    private long interval = DEFAULT_INTERVAL;
    private boolean awaiting;
    private int splices;
    private long spliceStartedNanos;
    private long lastStallNanos = -1;

    public TsSplicer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The next packets come from a new leg; what the old one left incomplete is dropped. */
    public void splice() {
        if (!awaiting) {
            spliceStartedNanos = System.nanoTime();
        }
        awaiting = true;
        for (HeldPes u : units) {
            u.drop();
        }
    }

    /** Drops what is held; for the end of the response. */
    public void release() {
        for (HeldPes u : units) {
            u.drop();
        }
        units = new HeldPes[0];
        if (scratch != null) {
            scratch.release();
            scratch = null;
        }
    }

    public boolean awaitingStart() {
        return awaiting;
    }

    public int splices() {
        return splices;
    }

    public long lastStallNanos() {
        return lastStallNanos;
    }

    /** The offset added to the current leg's 90 kHz timestamps. */
    public long offset() {
        return offset;
    }

    /** The largest DTS (or PTS) sent, in the client's time, or -1. */
    public long lastDts() {
        return lastDts;
    }

    /**
     * The packet at {@code at} of {@code buf}, of the leg feeding the client ({@code leg} has observed it already).
     * {@code buf} is borrowed: what must wait for the rest of its PES is kept by retaining it, and it is never changed.
     */
    public void packet(LegState leg, ByteBuf buf, int at, RunOutput out) {
        int header = buf.getInt(at);
        int pid = pid(header);
        if (awaiting) {
            if (!leg.isStart(buf, at)) {
                return;
            }
            long first = pesDts(buf, at);
            if (first < 0) {
                return;
            }
            offset = lastDts < 0 ? 0 : Math.floorMod(lastDts + interval - first, PTS_MOD);
            awaiting = false;
            splices++;
            lastStallNanos = System.nanoTime() - spliceStartedNanos;
            started.clear();
            emitStarting(leg, leg.pat, leg.pat.readerIndex(), out);
            emitStarting(leg, leg.pmt, leg.pmt.readerIndex(), out);
            if (pid == leg.videoPid) {
                lastVideoDtsIn = first;
            }
            emitStarting(leg, buf, at, out);
            return;
        }
        if (splices > 0 && !started.get(pid)) {
            if (pusi(header)) {
                emitStarting(leg, buf, at, out);
            } // else the rest of a unit that began before the splice point: dropped
            return;
        }
        if (pid == leg.videoPid && pusi(header)) {
            long dts = pesDts(buf, at);
            if (dts >= 0) {
                if (lastVideoDtsIn >= 0) {
                    long d = Math.floorMod(dts - lastVideoDtsIn, PTS_MOD);
                    if (d > 0 && d <= MAX_INTERVAL) {
                        interval = d;
                    }
                }
                lastVideoDtsIn = dts;
            }
        }
        int changed = rebase(buf, at);
        if (changed < 0) {
            send(leg, buf, at, out, false);
        } else {
            send(leg, scratch, changed, out, false);
        }
    }

    /** Elementary stream packets wait until their PES is complete; tables and everything else pass at once. */
    private void send(LegState leg, ByteBuf buf, int at, RunOutput out, boolean marker) {
        int header = buf.getInt(at);
        int pid = pid(header);
        if (!leg.esPids.get(pid)) {
            out.packets(buf, at, PACKET);
            return;
        }
        HeldPes u = held(pid);
        if (marker) {
            u.hold(buf, at);
            return;
        }
        int off = payloadOffset(header, buf, at);
        if (pusi(header)) {
            if (u.open) {
                u.flush(out);
            }
            u.open = true;
            int pes = off < 0 || off + 6 > PACKET ? -1 : off;
            int length = pes < 0 ? 0 : buf.getUnsignedShort(at + pes + 4);
            u.sized = length != 0;
            u.remaining = 6 + length - (PACKET - off);
        } else if (!u.open) {
            return; // a continuation of a PES whose start this client never got
        } else if (u.sized && off >= 0) {
            u.remaining -= PACKET - off;
        }
        u.hold(buf, at);
        u.bytes += PACKET;
        if ((u.sized && u.remaining <= 0) || u.bytes >= MAX_UNIT_BYTES) {
            u.flush(out);
        }
    }

    private HeldPes held(int pid) {
        for (HeldPes u : units) {
            if (u.pid == pid) {
                return u;
            }
        }
        HeldPes u = new HeldPes(pid);
        units = java.util.Arrays.copyOf(units, units.length + 1);
        units[units.length - 1] = u;
        return u;
    }

    /** The first packet of its PID since the splice: marked as a discontinuity. */
    private void emitStarting(LegState leg, ByteBuf buf, int at, RunOutput out) {
        int pid = pid(buf.getInt(at));
        started.set(pid);
        int changed = rebase(buf, at);
        if (changed >= 0) {
            buf = scratch;
            at = changed;
        }
        int afc = (buf.getUnsignedByte(at + 3) >> 4) & 3;
        if ((afc & 2) != 0 && buf.getUnsignedByte(at + 4) > 0) {
            if (changed < 0) {
                at = toScratch(buf, at);
                buf = scratch;
            }
            buf.setByte(at + 5, buf.getUnsignedByte(at + 5) | 0x80);
        } else {
            int cc = buf.getUnsignedByte(at + 3) & 0x0f;
            ByteBuf marker = alloc.buffer(PACKET, PACKET);
            marker.writeByte(TsPacketReader.SYNC);
            marker.writeByte((pid >> 8) & 0x1f);
            marker.writeByte(pid & 0xff);
            marker.writeByte(0x20 | ((cc - 1) & 0x0f)); // adaptation field only; no payload, so no counter step
            marker.writeByte(183);
            marker.writeByte(0x80);
            marker.writeBytes(STUFFING);
            send(leg, marker, 0, out, true);
            marker.release();
        }
        send(leg, buf, at, out, false);
    }

    private static final byte[] STUFFING = new byte[182];

    static {
        java.util.Arrays.fill(STUFFING, (byte) 0xff);
    }

    /**
     * Tracks the last DTS; returns -1 when the packet stays as it is, else where in {@link #scratch} a copy of it is,
     * with its PTS/DTS and PCR shifted by the offset.
     */
    private int rebase(ByteBuf buf, int at) {
        int header = buf.getInt(at);
        int afc = (header >> 4) & 3;
        boolean pcr = (afc & 2) != 0 && buf.getUnsignedByte(at + 4) >= 7 && (buf.getUnsignedByte(at + 5) & 0x10) != 0;
        int pes = pusi(header) ? pesHeader(buf, at) : -1;
        if (pes >= 0) {
            long dts = pesDts(buf, at);
            if (dts >= 0) {
                long out = (dts + offset) % PTS_MOD;
                if (out > lastDts) {
                    lastDts = out;
                }
            }
        }
        if (offset == 0 || (!pcr && pes < 0)) {
            return -1;
        }
        int i = toScratch(buf, at);
        ByteBuf p = scratch;
        if (pcr) {
            long base = (p.getUnsignedInt(i + 6) << 1) | (p.getUnsignedByte(i + 10) >> 7);
            long ext = ((p.getUnsignedByte(i + 10) & 1) << 8) | p.getUnsignedByte(i + 11);
            long v = Math.floorMod(base * 300 + ext + offset * 300, PCR_MOD);
            long nb = v / 300;
            long ne = v % 300;
            p.setInt(i + 6, (int) (nb >> 1));
            p.setByte(i + 10, (int) (((nb & 1) << 7) | 0x7e | ((ne >> 8) & 1)));
            p.setByte(i + 11, (int) (ne & 0xff));
        }
        if (pes >= 0) {
            int flags = (p.getUnsignedByte(i + pes + 7) >> 6) & 3;
            if ((flags & 2) != 0) {
                shiftTimestamp(p, i + pes + 9);
            }
            if (flags == 3 && pes + 19 <= PACKET) {
                shiftTimestamp(p, i + pes + 14);
            }
        }
        return i;
    }

    /**
     * Copies a packet to change into {@link #scratch} and returns where: after a splice every PES header is
     * rebased, and one small buffer for many of them costs less than a buffer each. A full one is let go; the runs
     * still holding packets of it keep it alive until they are sent.
     */
    private int toScratch(ByteBuf buf, int at) {
        if (scratch == null || scratch.writableBytes() < PACKET) {
            if (scratch != null) {
                scratch.release();
            }
            scratch = alloc.directBuffer(SCRATCH_PACKETS * PACKET, SCRATCH_PACKETS * PACKET);
        }
        int i = scratch.writerIndex();
        scratch.writeBytes(buf, at, PACKET);
        return i;
    }

    private void shiftTimestamp(ByteBuf p, int i) {
        long v = (readTimestamp(p, i) + offset) % PTS_MOD;
        int prefix = p.getUnsignedByte(i) & 0xf0;
        p.setByte(i, prefix | (int) ((v >> 29) & 0x0e) | 1);
        p.setShort(i + 1, (int) (((v >> 14) & 0xfffe) | 1));
        p.setShort(i + 3, (int) (((v << 1) & 0xfffe) | 1));
    }

    private static ByteBuf copy(ByteBuf buf, int at, ByteBufAllocator alloc) {
        ByteBuf copy = alloc.buffer(PACKET, PACKET);
        copy.writeBytes(buf, at, PACKET);
        return copy;
    }

    // ---------------------------------------------------------------- packet fields

    // the header's 4 bytes are read as one int: sync, PUSI and PID, then adaptation field control and counter

    static int pid(int header) {
        return (header >> 8) & 0x1fff;
    }

    static boolean pusi(int header) {
        return (header & 0x40_0000) != 0;
    }

    static boolean pusi(ByteBuf p, int at) {
        return (p.getUnsignedByte(at + 1) & 0x40) != 0;
    }

    /** Where the payload starts within the packet, or -1 without payload. */
    static int payloadOffset(ByteBuf p, int at) {
        return payloadOffset(p.getInt(at), p, at);
    }

    static int payloadOffset(int header, ByteBuf p, int at) {
        int afc = (header >> 4) & 3;
        if ((afc & 1) == 0) {
            return -1;
        }
        int off = (afc & 2) != 0 ? 5 + p.getUnsignedByte(at + 4) : 4;
        return off < PACKET ? off : -1;
    }

    /** Offset of a PES header with PTS/DTS flags at the payload start, or -1. */
    static int pesHeader(ByteBuf p, int at) {
        int off = payloadOffset(p, at);
        if (off < 0 || off + 14 > PACKET || p.getByte(at + off) != 0 || p.getByte(at + off + 1) != 0
                || p.getByte(at + off + 2) != 1) {
            return -1;
        }
        int sid = p.getUnsignedByte(at + off + 3);
        if (sid == 0xbc || sid == 0xbe || sid == 0xbf || sid == 0xf0 || sid == 0xf1 || sid == 0xff || sid == 0xf2
                || sid == 0xf8) {
            return -1;
        }
        return off;
    }

    /** The DTS of a PES starting in this packet (its PTS when it has no DTS), or -1. */
    static long pesDts(ByteBuf p, int at) {
        int pes = pesHeader(p, at);
        if (pes < 0) {
            return -1;
        }
        int flags = (p.getUnsignedByte(at + pes + 7) >> 6) & 3;
        if (flags == 3 && pes + 19 <= PACKET) {
            return readTimestamp(p, at + pes + 14);
        }
        return (flags & 2) != 0 ? readTimestamp(p, at + pes + 9) : -1;
    }

    static long readTimestamp(ByteBuf p, int i) {
        return (((long) p.getUnsignedByte(i) >> 1) & 7) << 30 | ((long) p.getUnsignedShort(i + 1) >> 1) << 15
                | ((long) p.getUnsignedShort(i + 3) >> 1);
    }
}

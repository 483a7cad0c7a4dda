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
 * <p>Only single-packet PAT and PMT sections are understood (what SRS, nginx and ffmpeg send). Not thread-safe: one
 * instance per player, on its event loop.
 */
public final class TsSplicer {

    private static final int PACKET = TsPacketReader.PACKET;
    private static final long PTS_MOD = 1L << 33;
    private static final long PCR_MOD = PTS_MOD * 300;
    private static final long DEFAULT_INTERVAL = 3600;
    private static final long MAX_INTERVAL = 18000;
    /** Past this a PES is passed on before it is complete (nothing real is this large). */
    static final int MAX_UNIT_BYTES = 4 << 20;

    /** Receives packets for the client; the callee owns each. */
    public interface Output {
        void packet(ByteBuf p);
    }

    /** What one leg's packets said so far: its program tables and which PIDs carry what. */
    public static final class LegState {
        private int pmtPid = -1;
        private int videoPid = -1;
        private boolean hevc;
        private final BitSet esPids = new BitSet(8192);
        private ByteBuf pat;
        private ByteBuf pmt;

        /** Reads the PSI of a packet of this leg (keeps copies of the last PAT and PMT); {@code p} is only read. */
        public void observe(ByteBuf p, ByteBufAllocator alloc) {
            int at = p.readerIndex();
            int pid = pid(p, at);
            if (!pusi(p, at) || (pid != 0 && pid != pmtPid)) {
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
                        pat = replace(pat, p, alloc);
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
                pmt = replace(pmt, p, alloc);
            }
        }

        /** PAT and PMT known. */
        public boolean ready() {
            return pat != null && pmt != null;
        }

        /** True for the packet a player can start this leg at (see {@link TsSplicer}). */
        public boolean isStart(ByteBuf p) {
            int at = p.readerIndex();
            if (!ready() || !pusi(p, at)) {
                return false;
            }
            int pid = pid(p, at);
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

        private static ByteBuf replace(ByteBuf old, ByteBuf p, ByteBufAllocator alloc) {
            release(old);
            ByteBuf copy = alloc.buffer(PACKET, PACKET);
            copy.writeBytes(p, p.readerIndex(), PACKET);
            return copy;
        }

        private static ByteBuf release(ByteBuf b) {
            if (b != null) {
                b.release();
            }
            return null;
        }
    }

    /** The packets of one stream's PES not complete yet. */
    private static final class Unit {
        final java.util.ArrayList<ByteBuf> packets = new java.util.ArrayList<>();
        boolean open;
        boolean sized;
        int remaining;
        int bytes;

        void flush(Output out) {
            for (ByteBuf p : packets) {
                out.packet(p);
            }
            packets.clear();
            open = false;
            sized = false;
            bytes = 0;
        }

        void drop() {
            packets.forEach(ByteBuf::release);
            packets.clear();
            open = false;
            sized = false;
            bytes = 0;
        }
    }

    private final ByteBufAllocator alloc;
    private final java.util.HashMap<Integer, Unit> units = new java.util.HashMap<>();
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
        units.values().forEach(Unit::drop);
    }

    /** Drops what is held; for the end of the response. */
    public void release() {
        units.values().forEach(Unit::drop);
        units.clear();
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

    /** One packet of the leg feeding the client ({@code leg} has observed it already); takes ownership. */
    public void packet(LegState leg, ByteBuf p, Output out) {
        int at = p.readerIndex();
        int pid = pid(p, at);
        if (awaiting) {
            if (!leg.isStart(p)) {
                p.release();
                return;
            }
            long first = pesDts(p, at);
            if (first < 0) {
                p.release();
                return;
            }
            offset = lastDts < 0 ? 0 : Math.floorMod(lastDts + interval - first, PTS_MOD);
            awaiting = false;
            splices++;
            lastStallNanos = System.nanoTime() - spliceStartedNanos;
            started.clear();
            emitStarting(leg, leg.pat.retainedDuplicate(), out);
            emitStarting(leg, leg.pmt.retainedDuplicate(), out);
            if (pid == leg.videoPid) {
                lastVideoDtsIn = first;
            }
            emitStarting(leg, p, out);
            return;
        }
        if (splices > 0 && !started.get(pid)) {
            if (!pusi(p, at)) {
                p.release(); // the rest of a unit that began before the splice point
                return;
            }
            emitStarting(leg, p, out);
            return;
        }
        if (pid == leg.videoPid && pusi(p, at)) {
            long dts = pesDts(p, at);
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
        send(leg, rebase(p), out, false);
    }

    /** Elementary stream packets wait until their PES is complete; tables and everything else pass at once. */
    private void send(LegState leg, ByteBuf p, Output out, boolean marker) {
        int at = p.readerIndex();
        int pid = pid(p, at);
        if (!leg.esPids.get(pid)) {
            out.packet(p);
            return;
        }
        Unit u = units.computeIfAbsent(pid, k -> new Unit());
        if (marker) {
            u.packets.add(p);
            return;
        }
        int off = payloadOffset(p, at);
        if (pusi(p, at)) {
            if (u.open) {
                u.flush(out);
            }
            u.open = true;
            int pes = off < 0 || off + 6 > PACKET ? -1 : off;
            int length = pes < 0 ? 0 : p.getUnsignedShort(at + pes + 4);
            u.sized = length != 0;
            u.remaining = 6 + length - (PACKET - off);
        } else if (!u.open) {
            p.release(); // a continuation of a PES whose start this client never got
            return;
        } else if (u.sized && off >= 0) {
            u.remaining -= PACKET - off;
        }
        u.packets.add(p);
        u.bytes += PACKET;
        if ((u.sized && u.remaining <= 0) || u.bytes >= MAX_UNIT_BYTES) {
            u.flush(out);
        }
    }

    /** The first packet of its PID since the splice: marked as a discontinuity. */
    private void emitStarting(LegState leg, ByteBuf p, Output out) {
        int at = p.readerIndex();
        int pid = pid(p, at);
        started.set(pid);
        p = rebase(p);
        at = p.readerIndex();
        int afc = (p.getUnsignedByte(at + 3) >> 4) & 3;
        if ((afc & 2) != 0 && p.getUnsignedByte(at + 4) > 0) {
            p = writable(p);
            at = p.readerIndex();
            p.setByte(at + 5, p.getUnsignedByte(at + 5) | 0x80);
        } else {
            int cc = p.getUnsignedByte(at + 3) & 0x0f;
            ByteBuf marker = alloc.buffer(PACKET, PACKET);
            marker.writeByte(TsPacketReader.SYNC);
            marker.writeByte((pid >> 8) & 0x1f);
            marker.writeByte(pid & 0xff);
            marker.writeByte(0x20 | ((cc - 1) & 0x0f)); // adaptation field only; no payload, so no counter step
            marker.writeByte(183);
            marker.writeByte(0x80);
            marker.writeBytes(STUFFING);
            send(leg, marker, out, true);
        }
        send(leg, p, out, false);
    }

    private static final byte[] STUFFING = new byte[182];

    static {
        java.util.Arrays.fill(STUFFING, (byte) 0xff);
    }

    /** Shifts the packet's PTS/DTS and PCR by the offset (a copy when anything changes); tracks the last DTS. */
    private ByteBuf rebase(ByteBuf p) {
        int at = p.readerIndex();
        int afc = (p.getUnsignedByte(at + 3) >> 4) & 3;
        boolean pcr = (afc & 2) != 0 && p.getUnsignedByte(at + 4) >= 7 && (p.getUnsignedByte(at + 5) & 0x10) != 0;
        int pes = pusi(p, at) ? pesHeader(p, at) : -1;
        if (pes >= 0) {
            long dts = pesDts(p, at);
            if (dts >= 0) {
                long out = (dts + offset) % PTS_MOD;
                if (out > lastDts) {
                    lastDts = out;
                }
            }
        }
        if (offset == 0 || (!pcr && pes < 0)) {
            return p;
        }
        p = writable(p);
        at = p.readerIndex();
        if (pcr) {
            long base = (p.getUnsignedInt(at + 6) << 1) | (p.getUnsignedByte(at + 10) >> 7);
            long ext = ((p.getUnsignedByte(at + 10) & 1) << 8) | p.getUnsignedByte(at + 11);
            long v = Math.floorMod(base * 300 + ext + offset * 300, PCR_MOD);
            long nb = v / 300;
            long ne = v % 300;
            p.setInt(at + 6, (int) (nb >> 1));
            p.setByte(at + 10, (int) (((nb & 1) << 7) | 0x7e | ((ne >> 8) & 1)));
            p.setByte(at + 11, (int) (ne & 0xff));
        }
        if (pes >= 0) {
            int flags = (p.getUnsignedByte(at + pes + 7) >> 6) & 3;
            if ((flags & 2) != 0) {
                shiftTimestamp(p, at + pes + 9);
            }
            if (flags == 3 && pes + 19 <= PACKET) {
                shiftTimestamp(p, at + pes + 14);
            }
        }
        return p;
    }

    private void shiftTimestamp(ByteBuf p, int i) {
        long v = (readTimestamp(p, i) + offset) % PTS_MOD;
        int prefix = p.getUnsignedByte(i) & 0xf0;
        p.setByte(i, prefix | (int) ((v >> 29) & 0x0e) | 1);
        p.setShort(i + 1, (int) (((v >> 14) & 0xfffe) | 1));
        p.setShort(i + 3, (int) (((v << 1) & 0xfffe) | 1));
    }

    private ByteBuf writable(ByteBuf p) {
        if (p.refCnt() == 1 && p.capacity() == PACKET && !p.isReadOnly() && p.unwrap() == null) {
            return p; // our own gathered copy
        }
        ByteBuf copy = alloc.buffer(PACKET, PACKET);
        copy.writeBytes(p, p.readerIndex(), PACKET);
        p.release();
        return copy;
    }

    // ---------------------------------------------------------------- packet fields

    static int pid(ByteBuf p, int at) {
        return ((p.getUnsignedByte(at + 1) & 0x1f) << 8) | p.getUnsignedByte(at + 2);
    }

    static boolean pusi(ByteBuf p, int at) {
        return (p.getUnsignedByte(at + 1) & 0x40) != 0;
    }

    /** Where the payload starts within the packet, or -1 without payload. */
    static int payloadOffset(ByteBuf p, int at) {
        int afc = (p.getUnsignedByte(at + 3) >> 4) & 3;
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

package io.origincluster.dataplane.http.ts;

import io.netty.buffer.ByteBuf;

/**
 * The packets of one elementary stream's PES that {@link TsSplicer} holds until the PES is complete. They are kept
 * as runs: a packet that directly follows the previous one in the same buffer lengthens that run, so a frame that
 * arrives in one read is one run, one reference and one copy out, however many packets it has.
 */
final class HeldPes {

    private static final int PACKET = TsPacketReader.PACKET;

    final int pid;
    boolean open;
    boolean sized;
    int remaining;
    int bytes;
    private ByteBuf[] buffers = new ByteBuf[4];
    private int[] starts = new int[4];
    private int[] lengths = new int[4];
    private int runs;

    HeldPes(int pid) {
        this.pid = pid;
    }

    /** Keeps the packet at {@code at} of {@code buf} (retained when it starts a run). */
    void hold(ByteBuf buf, int at) {
        int last = runs - 1;
        if (last >= 0 && buffers[last] == buf && starts[last] + lengths[last] == at) {
            lengths[last] += PACKET;
            return;
        }
        if (runs == buffers.length) {
            buffers = java.util.Arrays.copyOf(buffers, runs * 2);
            starts = java.util.Arrays.copyOf(starts, runs * 2);
            lengths = java.util.Arrays.copyOf(lengths, runs * 2);
        }
        buffers[runs] = buf.retain();
        starts[runs] = at;
        lengths[runs] = PACKET;
        runs++;
    }

    /** Hands on what is held, run by run, and starts over. */
    void flush(TsSplicer.RunOutput out) {
        for (int i = 0; i < runs; i++) {
            ByteBuf b = buffers[i];
            buffers[i] = null;
            try {
                out.packets(b, starts[i], lengths[i]);
            } finally {
                b.release();
            }
        }
        reset();
    }

    /** Releases what is held and starts over. */
    void drop() {
        for (int i = 0; i < runs; i++) {
            if (buffers[i] != null) {
                buffers[i].release();
                buffers[i] = null;
            }
        }
        reset();
    }

    /** Packets held (for tests). */
    int packets() {
        int n = 0;
        for (int i = 0; i < runs; i++) {
            n += lengths[i] / PACKET;
        }
        return n;
    }

    /** Runs held (for tests). */
    int runs() {
        return runs;
    }

    private void reset() {
        runs = 0;
        open = false;
        sized = false;
        bytes = 0;
    }
}

package io.origincluster.dataplane.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * FLV as the tests see it, parsed independently of the proxy's reader: a clip's file header and tags (to loop it
 * as a live origin would, timestamps continuing), and a strict reader of what a client received.
 */
final class FlvClip {

    /** One tag: its bytes as in the file (11-byte header, data, PreviousTagSize) and what they say. */
    record Tag(int type, long timestamp, byte[] bytes) {
        boolean videoKeyframe() {
            return type == 9 && bytes.length > 12 && (bytes[11] & 0xf0) == 0x10 && !(bytes.length > 13
                    && bytes[12] == 0 && (bytes[11] & 0x0f) == 7);
        }

        int dataSize() {
            return bytes.length - 15;
        }

        /** The same tag at timestamp {@code ts}. */
        byte[] at(long ts) {
            byte[] b = bytes.clone();
            b[4] = (byte) (ts >> 16);
            b[5] = (byte) (ts >> 8);
            b[6] = (byte) ts;
            b[7] = (byte) (ts >> 24);
            return b;
        }
    }

    final byte[] header;
    final List<Tag> tags;
    /** How far the timestamps of the next loop are shifted: the clip's duration plus one video frame. */
    final long loopMillis;

    private FlvClip(byte[] header, List<Tag> tags) {
        this.header = header;
        this.tags = List.copyOf(tags);
        long max = 0;
        for (Tag t : tags) {
            max = Math.max(max, t.timestamp());
        }
        this.loopMillis = max + 40;
    }

    static FlvClip load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<Tag> tags = new ArrayList<>();
            Reader r = new Reader(in);
            byte[] header = r.header();
            Tag t;
            while ((t = r.next()) != null) {
                tags.add(t);
            }
            return new FlvClip(header, tags);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tags of loop number {@code n} (0 = as recorded), without the file header. */
    byte[] loop(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Tag t : tags) {
            out.writeBytes(t.at(t.timestamp() + n * loopMillis));
        }
        return out.toByteArray();
    }

    /** A strict FLV reader: one file header, then tags whose PreviousTagSize matches; anything else throws. */
    static final class Reader {
        private final DataInputStream in;

        Reader(InputStream in) {
            this.in = new DataInputStream(in);
        }

        /** The 9-byte header and PreviousTagSize0. */
        byte[] header() throws IOException {
            byte[] h = new byte[13];
            in.readFully(h);
            if (h[0] != 'F' || h[1] != 'L' || h[2] != 'V' || h[8] != 9) {
                throw new IOException("not an FLV header: " + Arrays.toString(h));
            }
            return h;
        }

        /** The next tag, or null at a clean end of the stream. */
        Tag next() throws IOException {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            byte[] head = new byte[11];
            head[0] = (byte) first;
            in.readFully(head, 1, 10);
            int type = first & 0x1f;
            if ((first & 0xe0) != 0 || (type != 8 && type != 9 && type != 18)) {
                throw new IOException("bad tag type 0x" + Integer.toHexString(first)
                        + (first == 'F' ? " (a second FLV header?)" : ""));
            }
            int size = ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            long ts = ((head[4] & 0xffL) << 16) | ((head[5] & 0xffL) << 8) | (head[6] & 0xffL)
                    | ((head[7] & 0xffL) << 24);
            byte[] all = new byte[11 + size + 4];
            System.arraycopy(head, 0, all, 0, 11);
            try {
                in.readFully(all, 11, size + 4);
            } catch (EOFException e) {
                throw new EOFException("stream ended inside a tag");
            }
            long prev = ((all[11 + size] & 0xffL) << 24) | ((all[12 + size] & 0xffL) << 16)
                    | ((all[13 + size] & 0xffL) << 8) | (all[14 + size] & 0xffL);
            if (prev != 11 + size) {
                throw new IOException("PreviousTagSize " + prev + " for a tag of " + (11 + size) + " bytes");
            }
            return new Tag(type, ts, all);
        }
    }
}

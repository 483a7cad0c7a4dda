package io.origincluster.dataplane.rtsp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test-code RTSP origin for what no real server does on demand: after PLAY it writes interleaved frames as fast
 * as TCP lets it (each carrying its sequence number), so a test can see whether the proxy holds it back when the
 * player stops reading. It answers DESCRIBE, SETUP and PLAY of one connection and nothing else.
 */
final class FloodingRtspOrigin implements AutoCloseable {

    static final int FRAME = 1400;

    private final ServerSocket server;
    private final AtomicLong written = new AtomicLong();
    private final Thread thread;

    FloodingRtspOrigin() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "flooding-rtsp-origin");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    long bytesWritten() {
        return written.get();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            while (true) {
                String start = in.readLine();
                if (start == null) {
                    return;
                }
                if (start.isEmpty()) {
                    continue;
                }
                String cseq = "0";
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    if (h.regionMatches(true, 0, "CSeq:", 0, 5)) {
                        cseq = h.substring(5).trim();
                    }
                }
                String method = start.split(" ")[0];
                String head = "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n";
                String body = "";
                switch (method) {
                    case "DESCRIBE" -> {
                        body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=flood\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
                                + "a=rtpmap:96 H264/90000\r\na=control:rtsp://127.0.0.1:" + port() + "/live/flood/t0\r\n";
                        head += "Content-Base: rtsp://127.0.0.1:" + port() + "/live/flood/\r\n"
                                + "Content-Type: application/sdp\r\nContent-Length: " + body.length() + "\r\n";
                    }
                    case "SETUP" -> head += "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 42\r\n";
                    default -> head += "Session: 42\r\n";
                }
                out.write((head + "\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (method.equals("PLAY")) {
                    flood(out);
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed the connection: the test is over
        }
    }

    private void flood(OutputStream out) throws IOException {
        byte[] frame = new byte[4 + FRAME];
        frame[0] = '$';
        frame[2] = (byte) (FRAME >> 8);
        frame[3] = (byte) FRAME;
        for (int seq = 0; ; seq++) {
            frame[4] = (byte) (seq >> 24);
            frame[5] = (byte) (seq >> 16);
            frame[6] = (byte) (seq >> 8);
            frame[7] = (byte) seq;
            out.write(frame);
            written.addAndGet(frame.length);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}

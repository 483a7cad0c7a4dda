package io.origincluster.bench;

import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * RTSP play relay, directly against a gst-rtsp-server origin and through a proxy of its own in the same run. The
 * origin (the tests' {@code gst_rtsp_origin.py}) encodes one shared live H.264 stream; P players (plain sockets,
 * one thread each) DESCRIBE, SETUP interleaved over TCP, PLAY and read RTP. A reference player always reads the
 * origin directly; every other player's arrival time of each RTP sequence number minus the reference's is its
 * delivery delay, so the direct phase gives the baseline (the same packet to two direct clients) and the proxy
 * phase what the relay adds. Per phase: setup time (connect to the PLAY answer), packets and bits per second,
 * sequence gaps, proxy CPU per relayed Mbit.
 */
record RtspScenario(int players, int warmupSeconds, int durationSeconds) {

    static final Path ORIGIN_SCRIPT = Path.of("dataplane", "src", "test", "resources", "rtsp", "gst_rtsp_origin.py");
    static final String PATH = "/live/bench";

    static RtspScenario from(BenchMain.Options o) {
        return new RtspScenario(o.integer("rtsp.players", 50), o.integer("rtsp.warmup", 5),
                o.integer("rtsp.duration", 20));
    }

    String describe() {
        return String.format("rtsp: %d players of one live H.264 stream (gst-rtsp-server, 320x240 25 fps ~300 kbit/s), "
                + "interleaved TCP, plus one direct reference player; warm-up %d s, window %d s; direct, then through "
                + "the proxy", players, warmupSeconds, durationSeconds);
    }

    record Phase(String label, int started, double seconds, long packets, long bytes, long gaps, LatencyHistogram setup,
                 LatencyHistogram delay, double proxyCpu) {

        double bitsPerSecond() {
            return bytes * 8 / seconds;
        }

        /** Proxy CPU milliseconds per relayed Mbit (interleaved payload). */
        double proxyCpuMsPerMbit() {
            return bytes > 0 ? proxyCpu * 1000 / (bytes * 8 / 1e6) : Double.NaN;
        }
    }

    void run(PrintStream out, Path work, RedisServer redis, Path proxyJar, List<String> javaOpts,
             Map<String, String> proxyEnv) {
        if (!Files.isRegularFile(ORIGIN_SCRIPT)) {
            throw new IllegalStateException("no " + ORIGIN_SCRIPT + "; run the bench from the repository root");
        }
        int originPort = Ports.freeTcp();
        Proc origin = Proc.start("rtsp-origin", List.of("/usr/bin/python3", ORIGIN_SCRIPT.toAbsolutePath().toString(),
                Integer.toString(originPort), "--play", PATH), Map.of(), null, work.resolve("logs"));
        ProxyProcess proxy = null;
        try {
            origin.awaitTcp(originPort, 30);
            int proxyRtsp = Ports.freeTcp();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PROXY_CLUSTER_ID", "bench-rtsp");
            env.put("PROXY_RTSP_SERVER", "127.0.0.1:" + proxyRtsp);
            env.put("PROXY_DEFAULT_BACKEND_RTSP", Integer.toString(originPort));
            env.putAll(proxyEnv);
            proxy = ProxyProcess.start("proxy-rtsp", proxyJar, javaOpts, work, Ports.freeTcp(), Ports.freeUdp(),
                    redis.port(), env);
            ProxyProcess p = proxy;
            out.printf("   origin gst-rtsp-server pid %d rtsp://127.0.0.1:%d%s (%s); proxy pid %d rtsp 127.0.0.1:%d (%s)%n",
                    origin.pid(), originPort, PATH, origin.log(), proxy.pid(), proxyRtsp, proxy.log());
            Phase direct = phase(out, "direct", originPort, originPort, () -> 0.0);
            Phase viaProxy = phase(out, "proxy", proxyRtsp, originPort, () -> ProcStats.cpuSeconds(p.pid()));
            print(out, direct, viaProxy);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            origin.close();
        }
    }

    private Phase phase(PrintStream out, String label, int port, int originPort,
                        java.util.function.DoubleSupplier proxyCpu) {
        out.printf("   [%s] %s: %d players, warm-up %d s, window %d s, load average %s%n", java.time.Instant.now(), label,
                players, warmupSeconds, durationSeconds, ProcStats.loadAverage());
        LatencyHistogram setup = new LatencyHistogram();
        Player reference = new Player(originPort, new LatencyHistogram());
        reference.start();
        List<Player> list = new ArrayList<>();
        for (int i = 0; i < players; i++) {
            Player pl = new Player(port, setup);
            list.add(pl);
            pl.start();
        }
        try {
            Pause.millis(warmupSeconds * 1000L);
            long[] packets0 = list.stream().mapToLong(Player::packets).toArray();
            long[] bytes0 = list.stream().mapToLong(Player::bytes).toArray();
            long[] gaps0 = list.stream().mapToLong(Player::gaps).toArray();
            double cpu0 = proxyCpu.getAsDouble();
            long t0 = System.nanoTime();
            Pause.millis(durationSeconds * 1000L);
            long t1 = System.nanoTime();
            double cpu = proxyCpu.getAsDouble() - cpu0;
            long packets = 0;
            long bytes = 0;
            long gaps = 0;
            int started = 0;
            LatencyHistogram delay = new LatencyHistogram();
            for (int i = 0; i < list.size(); i++) {
                Player pl = list.get(i);
                packets += pl.packets() - packets0[i];
                bytes += pl.bytes() - bytes0[i];
                gaps += pl.gaps() - gaps0[i];
                started += pl.playing ? 1 : 0;
                pl.delaysAgainst(reference, t0, t1, delay);
            }
            return new Phase(label, started, (t1 - t0) / 1e9, packets, bytes, gaps, setup, delay, cpu);
        } finally {
            list.forEach(Player::stop);
            reference.stop();
            Pause.millis(1000);
        }
    }

    static void print(PrintStream out, Phase direct, Phase proxy) {
        out.printf("%n%-8s %8s %9s %12s %6s %9s %9s %10s %10s %8s %10s%n", "phase", "playing", "pkt/s", "throughput",
                "gaps", "setup p50", "setup p99", "delay p50", "delay p99", "prx cpu", "ms/Mbit");
        for (Phase p : new Phase[] {direct, proxy}) {
            out.printf("%-8s %8d %9.0f %12s %6d %9d %9d %10d %10d %8s %10s%n", p.label(), p.started(),
                    p.packets() / p.seconds(), Report.bits(p.bitsPerSecond()), p.gaps(), p.setup().percentile(0.5),
                    p.setup().percentile(0.99), p.delay().percentile(0.5), p.delay().percentile(0.99),
                    p.label().equals("direct") ? "-" : String.format(Locale.ROOT, "%.2fs", p.proxyCpu()),
                    p.label().equals("direct") ? "-" : String.format(Locale.ROOT, "%.2f", p.proxyCpuMsPerMbit()));
        }
        out.println("(setup = connect to the PLAY answer, delay = a packet's arrival minus the direct reference "
                + "player's arrival of the same RTP sequence number, both in us; ms/Mbit = proxy CPU per relayed Mbit)");
        out.printf("ratio    rtsp throughput proxy/direct = %.3f, setup p50 proxy/direct = %.2f (%+d us), added delay "
                        + "p50 %+d us, p99 %+d us (proxy delay minus the direct baseline)%n",
                direct.bytes() > 0 ? proxy.bitsPerSecond() / direct.bitsPerSecond() : 0,
                direct.setup().percentile(0.5) > 0
                        ? (double) proxy.setup().percentile(0.5) / direct.setup().percentile(0.5) : Double.NaN,
                proxy.setup().percentile(0.5) - direct.setup().percentile(0.5),
                proxy.delay().percentile(0.5) - direct.delay().percentile(0.5),
                proxy.delay().percentile(0.99) - direct.delay().percentile(0.99));
        out.flush();
    }

    /** One RTSP player on its own thread: play over interleaved TCP, then count RTP and note each arrival. */
    static final class Player {
        private final int port;
        private final LatencyHistogram setup;
        /** Arrival time (nanoTime) of each RTP sequence number, the latest one. */
        private final AtomicLongArray arrivals = new AtomicLongArray(65536);
        private final Thread thread;
        private volatile Socket socket;
        private volatile boolean playing;
        private volatile long packets;
        private volatile long bytes;
        private volatile long gaps;

        Player(int port, LatencyHistogram setup) {
            this.port = port;
            this.setup = setup;
            this.thread = new Thread(this::play, "rtsp-player");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        long packets() {
            return packets;
        }

        long bytes() {
            return bytes;
        }

        long gaps() {
            return gaps;
        }

        void stop() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            thread.interrupt();
        }

        /** This player's arrival minus the reference's, per sequence number both saw inside [t0, t1]. */
        void delaysAgainst(Player reference, long t0, long t1, LatencyHistogram out) {
            for (int seq = 0; seq < 65536; seq++) {
                long mine = arrivals.get(seq);
                long ref = reference.arrivals.get(seq);
                if (mine >= t0 && mine <= t1 && ref != 0 && Math.abs(mine - ref) < 5_000_000_000L) {
                    out.record(Math.max(0, (mine - ref) / 1000));
                }
            }
        }

        private void play() {
            String url = "rtsp://127.0.0.1:" + port + PATH;
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                socket = s;
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 65536));
                OutputStream o = s.getOutputStream();
                Map<String, String> d = request(in, o, "DESCRIBE " + url + " RTSP/1.0\r\nCSeq: 1\r\n"
                        + "Accept: application/sdp\r\n\r\n");
                String base = d.getOrDefault("content-base", url + "/");
                String control = d.get("body").lines().filter(l -> l.startsWith("a=control:") && !l.contains("*"))
                        .map(l -> l.substring("a=control:".length()).trim()).findFirst().orElseThrow();
                String track = control.startsWith("rtsp://") ? control
                        : base + (base.endsWith("/") ? "" : "/") + control;
                Map<String, String> st = request(in, o, "SETUP " + track + " RTSP/1.0\r\nCSeq: 2\r\n"
                        + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
                String session = st.get("session").split(";")[0].trim();
                request(in, o, "PLAY " + base + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + session + "\r\n\r\n");
                setup.record((System.nanoTime() - t0) / 1000);
                playing = true;
                read(in);
            } catch (IOException | RuntimeException e) {
                // stopped, or the target failed: the phase counts what arrived
            } finally {
                playing = false;
            }
        }

        private void read(DataInputStream in) throws IOException {
            int last = -1;
            byte[] buf = new byte[65536];
            while (!Thread.currentThread().isInterrupted()) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                if (b != '$') {
                    continue; // an RTSP message between frames (none expected while playing): skipped byte by byte
                }
                int channel = in.readUnsignedByte();
                int length = in.readUnsignedShort();
                in.readFully(buf, 0, length);
                long now = System.nanoTime();
                bytes += length;
                if (channel != 0 || length < 12) {
                    continue;
                }
                packets++;
                int seq = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
                arrivals.set(seq, now);
                if (last >= 0 && seq != ((last + 1) & 0xffff)) {
                    gaps++;
                }
                last = seq;
            }
        }

        /** Sends a request and reads its answer: headers (lower-case names) and the body under "body". */
        private static Map<String, String> request(DataInputStream in, OutputStream o, String text) throws IOException {
            o.write(text.getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed before answering " + text.lines().findFirst().orElse(""));
                }
                head.append((char) c);
                if (head.length() > 16384) {
                    throw new IOException("answer head over 16 KiB");
                }
            }
            String[] lines = head.toString().split("\r\n");
            if (!lines[0].contains(" 200 ")) {
                throw new IOException(text.lines().findFirst().orElse("") + ": " + lines[0]);
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    h.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
                }
            }
            int n = Integer.parseInt(h.getOrDefault("content-length", "0"));
            byte[] body = new byte[n];
            in.readFully(body);
            h.put("body", new String(body, StandardCharsets.UTF_8));
            return h;
        }
    }
}

package io.origincluster.dataplane.testpeers;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real libwebrtc peer (webrtc-java) with one data channel, usable as a WHIP/WHEP client (offerer) or as a test
 * origin (answerer, optionally echoing every message back). Offers and answers are returned after ICE gathering
 * completes, so they carry all host candidates (no trickle).
 *
 * <p>One factory per JVM, built on the dummy audio layer: the default constructor aborts on machines without an
 * audio device. libwebrtc ignores loopback interfaces by default and webrtc-java 0.10 exposes no network mask, so
 * candidates are this machine's own interface addresses.
 */
public final class RtcPeer implements AutoCloseable {

    private static final long STEP_SECONDS = 10;
    private static PeerConnectionFactory factory;

    private final RTCPeerConnection pc;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CompletableFuture<RTCDataChannel> open = new CompletableFuture<>();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final boolean echo;
    private volatile RTCDataChannel channel;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;

    private RtcPeer(boolean offerer, boolean echo) {
        this.echo = echo;
        this.pc = factory().createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }

            @Override
            public void onIceGatheringChange(RTCIceGatheringState s) {
                if (s == RTCIceGatheringState.COMPLETE) {
                    gathered.complete(null);
                }
            }

            @Override
            public void onConnectionChange(RTCPeerConnectionState s) {
                state = s;
            }

            @Override
            public void onDataChannel(RTCDataChannel ch) {
                attach(ch);
            }
        });
        if (offerer) {
            attach(pc.createDataChannel("chat", new RTCDataChannelInit()));
        }
    }

    private static synchronized PeerConnectionFactory factory() {
        if (factory == null) {
            factory = new PeerConnectionFactory(new AudioDeviceModule(AudioLayer.kDummyAudio));
        }
        return factory;
    }

    /** A client that will create the offer and the data channel. */
    public static RtcPeer client() {
        return new RtcPeer(true, false);
    }

    /** An origin-side peer that answers offers and echoes each message back as {@code "echo:" + message}. */
    public static RtcPeer echoingAnswerer() {
        return new RtcPeer(false, true);
    }

    private void attach(RTCDataChannel ch) {
        channel = ch;
        ch.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previous) {
            }

            @Override
            public void onStateChange() {
                if (ch.getState() == RTCDataChannelState.OPEN) {
                    open.complete(ch);
                }
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                byte[] b = new byte[buffer.data.remaining()];
                buffer.data.get(b);
                String text = new String(b, StandardCharsets.UTF_8);
                received.add(text);
                if (echo) {
                    sendQuietly(ch, "echo:" + text);
                }
            }
        });
    }

    /** Creates the offer, applies it and returns it with every gathered candidate. */
    public String offer() throws Exception {
        CompletableFuture<RTCSessionDescription> d = new CompletableFuture<>();
        pc.createOffer(new RTCOfferOptions(), describe(d));
        setLocal(d.get(STEP_SECONDS, TimeUnit.SECONDS));
        gathered.get(STEP_SECONDS, TimeUnit.SECONDS);
        return pc.getLocalDescription().sdp;
    }

    /** Applies a remote offer and returns the complete answer. */
    public String answer(String offerSdp) throws Exception {
        setRemote(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp));
        CompletableFuture<RTCSessionDescription> d = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), describe(d));
        setLocal(d.get(STEP_SECONDS, TimeUnit.SECONDS));
        gathered.get(STEP_SECONDS, TimeUnit.SECONDS);
        return pc.getLocalDescription().sdp;
    }

    public void acceptAnswer(String answerSdp) throws Exception {
        setRemote(new RTCSessionDescription(RTCSdpType.ANSWER, answerSdp));
    }

    /** Waits until the data channel is open (ICE, DTLS and SCTP done). */
    public void awaitOpen(long seconds) throws Exception {
        open.get(seconds, TimeUnit.SECONDS);
    }

    public RTCPeerConnectionState state() {
        return state;
    }

    public void send(String text) throws Exception {
        channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
    }

    /** The next message received on the data channel, or null after {@code seconds}. */
    public String poll(long seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    /** {@code ip:port} of the remote candidate of the nominated, succeeded candidate pair; null if none. */
    public String selectedRemoteCandidate() throws Exception {
        CompletableFuture<RTCStatsReport> f = new CompletableFuture<>();
        pc.getStats(f::complete);
        Map<String, RTCStats> stats = f.get(STEP_SECONDS, TimeUnit.SECONDS).getStats();
        for (RTCStats s : stats.values()) {
            Map<String, Object> m = s.getMembers();
            if (s.getType() == RTCStatsType.CANDIDATE_PAIR && Boolean.TRUE.equals(m.get("nominated"))
                    && "succeeded".equals(m.get("state"))) {
                RTCStats remote = stats.get(String.valueOf(m.get("remoteCandidateId")));
                if (remote != null) {
                    return remote.getMembers().get("address") + ":" + remote.getMembers().get("port");
                }
            }
        }
        return null;
    }

    private void setLocal(RTCSessionDescription d) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.setLocalDescription(d, applied(f));
        f.get(STEP_SECONDS, TimeUnit.SECONDS);
    }

    private void setRemote(RTCSessionDescription d) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.setRemoteDescription(d, applied(f));
        f.get(STEP_SECONDS, TimeUnit.SECONDS);
    }

    private static CreateSessionDescriptionObserver describe(CompletableFuture<RTCSessionDescription> f) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription d) {
                f.complete(d);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private static SetSessionDescriptionObserver applied(CompletableFuture<Void> f) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private static void sendQuietly(RTCDataChannel ch, String text) {
        try {
            ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
        } catch (Exception e) {
            // the test on the other side will miss the echo and fail with a clear message
        }
    }

    @Override
    public void close() {
        RTCDataChannel ch = channel;
        if (ch != null) {
            ch.unregisterObserver();
            ch.close();
            ch.dispose();
        }
        pc.close();
    }
}

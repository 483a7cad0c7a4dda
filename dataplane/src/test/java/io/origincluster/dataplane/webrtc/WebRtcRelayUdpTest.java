package io.origincluster.dataplane.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The UDP relay with plain sockets standing in for client and origin: routing by STUN username and by address,
 * the lookup in the shared store from a second replica, bad datagrams, address changes and the idle sweep. All of
 * it on the default transport and on io_uring, whose datagram channels carry the shared port and the connected
 * per-session origin sockets there.
 */
@ParameterizedClass(name = "PROXY_IO_TRANSPORT={0}")
@ValueSource(strings = {"auto", "io_uring"})
class WebRtcRelayUdpTest {

    @Parameter
    String transport;

    private static final String USER = "srvUfrag:cliUfrag";
    private static final String PWD = "originIcePassword1234567";

    private MemoryStateStore store;
    private Dataplane proxyA;
    private Dataplane proxyB;
    private DatagramSocket origin;
    private DatagramSocket client;

    @BeforeEach
    void setUp() throws Exception {
        store = new MemoryStateStore(new LeastPinnedPolicy());
        Map<String, String> env = Map.of("PROXY_WEBRTC_IDLE_TIMEOUT", "1s", "PROXY_IO_TRANSPORT", transport);
        proxyA = RelayTestSupport.start(store, env);
        proxyB = RelayTestSupport.start(store, env);
        if (!transport.equals("auto")) {
            assertThat(proxyA.transports().transport().label()).isEqualTo(transport);
        }
        origin = socket();
        client = socket();
        store.putSession(record(USER), Duration.ofSeconds(30)).toCompletableFuture().join();
    }

    @AfterEach
    void tearDown() {
        client.close();
        origin.close();
        proxyA.close();
        proxyB.close();
    }

    private SessionRecord record(String username) {
        return new SessionRecord(SessionKind.WEBRTC, username, "__defaultVhost__/live/s", "origin-1",
                Map.of("sid", "test1", "rtcHost", "127.0.0.1", "rtcPort", Integer.toString(origin.getLocalPort()),
                        "icePwd", PWD));
    }

    private static DatagramSocket socket() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(2000);
        return s;
    }

    private static InetSocketAddress relayAddress(Dataplane d) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), d.port("webrtc"));
    }

    private static void send(DatagramSocket from, byte[] data, InetSocketAddress to) throws Exception {
        from.send(new DatagramPacket(data, data.length, to));
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    private static byte[] data(DatagramPacket p) {
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    private static void assertNothingArrives(DatagramSocket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        try {
            DatagramPacket p = receive(s);
            throw new AssertionError("unexpected datagram of " + p.getLength() + " bytes from " + p.getSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing relayed, as it should be
        } finally {
            s.setSoTimeout(2000);
        }
    }

    /** A binding request signed with the session's ICE password, as a real client sends it. */
    private static byte[] stun(String username) throws Exception {
        return StunPackets.bindingRequest().username(username).attribute(0x0024, new byte[4]).buildSigned(PWD);
    }

    private static byte[] dtls(int n) {
        byte[] d = new byte[40];
        d[0] = 22;
        d[1] = (byte) n;
        return d;
    }

    @Test
    void relaysBothWaysThroughTheSharedPortAndFollowsTheClient() throws Exception {
        InetSocketAddress relay = relayAddress(proxyA);
        byte[] stun = stun(USER);
        send(client, stun, relay);
        DatagramPacket atOrigin = receive(origin);
        assertThat(data(atOrigin)).isEqualTo(stun);
        assertThat(atOrigin.getPort()).as("origin sees the session's own backend socket")
                .isNotEqualTo(relay.getPort());

        send(origin, dtls(1), (InetSocketAddress) atOrigin.getSocketAddress());
        DatagramPacket atClient = receive(client);
        assertThat(data(atClient)).isEqualTo(dtls(1));
        assertThat(atClient.getPort()).as("replies leave through the shared port").isEqualTo(relay.getPort());

        send(client, dtls(2), relay);
        assertThat(data(receive(origin))).as("non-STUN routed by client address").isEqualTo(dtls(2));

        // Someone who learnt the username but not the password cannot pull the session to their address.
        try (DatagramSocket thief = socket()) {
            send(thief, StunPackets.bindingRequest().username(USER).buildSigned("guessed-password"), relay);
            send(thief, StunPackets.bindingRequest().username(USER).iceTail().build(), relay);
            assertNothingArrives(origin, 300);
            send(origin, dtls(8), (InetSocketAddress) atOrigin.getSocketAddress());
            assertThat(data(receive(client))).as("replies still go to the real client").isEqualTo(dtls(8));
        }

        // The client moves (NAT rebinding): the next valid STUN from the new address takes the session over.
        try (DatagramSocket moved = socket()) {
            send(moved, stun, relay);
            assertThat(data(receive(origin))).isEqualTo(stun);
            send(origin, dtls(3), (InetSocketAddress) atOrigin.getSocketAddress());
            assertThat(data(receive(moved))).isEqualTo(dtls(3));
            send(client, dtls(4), relay);
            assertNothingArrives(origin, 300);
            WebRtcRelayServer.Stats s = RelayTestSupport.stats(proxyA);
            assertThat(s.sessions()).isEqualTo(1);
            assertThat(s.clientAddresses()).as("the old address is forgotten").isEqualTo(1);
        }
    }

    @Test
    void anotherReplicaFindsTheSessionInTheSharedStore() throws Exception {
        assertThat(RelayTestSupport.stats(proxyB).known()).isZero();
        byte[] stun = stun(USER);
        send(client, stun, relayAddress(proxyB));
        DatagramPacket atOrigin = receive(origin);
        assertThat(data(atOrigin)).isEqualTo(stun);
        send(origin, dtls(9), (InetSocketAddress) atOrigin.getSocketAddress());
        assertThat(data(receive(client))).isEqualTo(dtls(9));
        assertThat(RelayTestSupport.stats(proxyB).sessions()).isEqualTo(1);
        assertThat(RelayTestSupport.stats(proxyA).sessions()).isZero();
    }

    @Test
    void badDatagramsAreDroppedAndTheRelayKeepsWorking() throws Exception {
        InetSocketAddress relay = relayAddress(proxyA);
        byte[] good = stun(USER);
        byte[] wrongLength = Arrays.copyOf(good, good.length + 4);
        byte[] overrun = good.clone();
        overrun[23] = (byte) 0x7F;
        byte[][] bad = {new byte[] {0}, Arrays.copyOf(good, 19), Arrays.copyOf(good, 30), wrongLength, overrun,
            StunPackets.bindingRequest().cookie(0).username(USER).build(),
            StunPackets.bindingRequest().username("nobody:knows").build(),
            StunPackets.bindingRequest().username("no-colon").build(), dtls(5), new byte[] {(byte) 0x80}};
        for (byte[] b : bad) {
            send(client, b, relay);
        }
        assertNothingArrives(origin, 300);
        WebRtcRelayServer.Stats s = RelayTestSupport.stats(proxyA);
        assertThat(s.sessions()).isZero();
        assertThat(s.dropped()).isGreaterThanOrEqualTo(bad.length - 1); // the unknown username may still be pending

        send(client, good, relay);
        assertThat(data(receive(origin))).isEqualTo(good);
    }

    @Test
    void unknownUsernameFloodStaysBoundedAndDrains() throws Exception {
        InetSocketAddress relay = relayAddress(proxyA);
        for (int i = 0; i < 3000; i++) {
            send(client, StunPackets.bindingRequest().username("x" + i + ":y").build(), relay);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(RelayTestSupport.stats(proxyA).lookups()).isPositive());
        assertThat(RelayTestSupport.stats(proxyA).lookups()).isLessThanOrEqualTo(WebRtcRelayServer.MAX_LOOKUPS);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(RelayTestSupport.stats(proxyA)).isEqualTo(zeroExceptCounters(RelayTestSupport.stats(proxyA))));
        assertNothingArrives(origin, 100);
    }

    @Test
    void idleSessionsReleaseEveryEntryAndSocket() throws Exception {
        for (int i = 0; i < 5; i++) {
            String user = "srv" + i + ":cli" + i;
            store.putSession(record(user), Duration.ofSeconds(30)).toCompletableFuture().join();
            send(client, stun(user), relayAddress(proxyA));
            receive(origin);
        }
        WebRtcRelayServer.Stats busy = RelayTestSupport.stats(proxyA);
        assertThat(busy.sessions()).isEqualTo(5);
        assertThat(busy.backendSockets()).isEqualTo(5);
        assertThat(busy.clientAddresses()).as("one client address, re-bound by each session").isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            WebRtcRelayServer.Stats s = RelayTestSupport.stats(proxyA);
            assertThat(s).isEqualTo(zeroExceptCounters(s));
        });
        // A closed session is found again from the store when the client comes back.
        send(client, stun(USER), relayAddress(proxyA));
        receive(origin);
        assertThat(RelayTestSupport.stats(proxyA).sessions()).isEqualTo(1);
    }

    @Test
    void aSessionDeletedElsewhereEndsHereAtTheNextTouch() throws Exception {
        try (Dataplane proxy = RelayTestSupport.start(store, Map.of("PROXY_WEBRTC_SESSION_TTL", "3s",
                "PROXY_IO_TRANSPORT", transport))) {
            InetSocketAddress relay = relayAddress(proxy);
            send(client, stun(USER), relay);
            receive(origin);
            // Traffic keeps flowing, so only the missing record (a DELETE on another replica) can end it.
            store.removeSession(SessionKind.WEBRTC, USER).toCompletableFuture().join();
            await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                send(client, dtls(7), relay);
                assertThat(RelayTestSupport.stats(proxy).sessions()).isZero();
            });
            assertThat(RelayTestSupport.stats(proxy).backendSockets()).isZero();
        }
    }

    private static WebRtcRelayServer.Stats zeroExceptCounters(WebRtcRelayServer.Stats s) {
        return new WebRtcRelayServer.Stats(0, 0, 0, 0, 0, s.toOrigin(), s.toClient(), s.dropped());
    }
}

package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aFreeTcpPortCanBeBoundOnLoopback() throws Exception {
        int port = Ports.freeTcp();
        assertThat(port).isPositive();
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aFreeUdpPortCanBeBoundOnLoopback() throws Exception {
        int port = Ports.freeUdp();
        try (DatagramSocket s = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void awaitTcpSeesAListener() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(Ports.awaitTcp("127.0.0.1", s.getLocalPort(), Duration.ofSeconds(2), () -> true)).isTrue();
            assertThat(Ports.accepts("127.0.0.1", s.getLocalPort(), Duration.ofMillis(200))).isTrue();
        }
    }

    @Test
    void awaitTcpGivesUpAtItsDeadline() {
        int closed = Ports.freeTcp();
        long t0 = System.nanoTime();
        assertThat(Ports.awaitTcp("127.0.0.1", closed, Duration.ofMillis(300), () -> true)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
    }

    @Test
    void awaitTcpGivesUpAtOnceWhenThePeerIsGone() {
        int closed = Ports.freeTcp();
        long t0 = System.nanoTime();
        assertThat(Ports.awaitTcp("127.0.0.1", closed, Duration.ofSeconds(30), () -> false)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
}

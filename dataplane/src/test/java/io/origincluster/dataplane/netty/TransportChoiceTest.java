package io.origincluster.dataplane.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.TransportSettings.Choice;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Which transport a setting gets when some do not load. Availability is injected, so every fallback is exercised
 * here on any kernel; the shaded-jar test (DataplaneProcessIT) shows the real probe failing under seccomp.
 */
class TransportChoiceTest {

    private static final List<IoTransport> URING_FIRST = List.of(IoTransport.IO_URING, IoTransport.EPOLL,
            IoTransport.NIO);

    /** Every transport in {@code broken} fails to load the way a seccomp-filtered io_uring_setup does. */
    private static Function<IoTransport, Throwable> without(Set<IoTransport> broken) {
        return t -> broken.contains(t) ? new RuntimeException("failed to create io_uring ring fd",
                new RuntimeException("Operation not permitted")) : null;
    }

    @Test
    void autoTakesItsFirstChoiceWhenEverythingLoads() {
        TransportChoice c = TransportChoice.choose(Choice.AUTO, URING_FIRST, without(Set.of()));
        assertThat(c.transport()).isEqualTo(IoTransport.IO_URING);
        assertThat(c.reason()).isEqualTo("auto: preferred transport");
    }

    @Test
    void autoFallsBackFromIoUringToEpollAndSaysWhy() {
        TransportChoice c = TransportChoice.choose(Choice.AUTO, URING_FIRST,
                without(EnumSet.of(IoTransport.IO_URING)));
        assertThat(c.transport()).isEqualTo(IoTransport.EPOLL);
        assertThat(c.reason()).startsWith("auto: io_uring does not work here: ")
                .contains("failed to create io_uring ring fd").contains("Operation not permitted")
                .doesNotContain("epoll does not");
    }

    @Test
    void autoEndsOnNioWhenNoNativeTransportLoads() {
        TransportChoice c = TransportChoice.choose(Choice.AUTO, URING_FIRST,
                without(EnumSet.of(IoTransport.IO_URING, IoTransport.EPOLL)));
        assertThat(c.transport()).isEqualTo(IoTransport.NIO);
        assertThat(c.reason()).contains("io_uring does not work here").contains("epoll does not work here");
    }

    @Test
    void theShippedAutoOrderEndsOnNioAndListsEveryTransportOnce() {
        assertThat(TransportChoice.AUTO_ORDER).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder(IoTransport.values()).endsWith(IoTransport.NIO);
        assertThat(TransportChoice.choose(Choice.AUTO, without(EnumSet.complementOf(EnumSet.of(IoTransport.NIO))))
                .transport()).isEqualTo(IoTransport.NIO);
        assertThat(TransportChoice.choose(Choice.AUTO, without(Set.of())).transport())
                .isEqualTo(TransportChoice.AUTO_ORDER.get(0));
    }

    @Test
    void aNamedTransportIsTakenAsNamed() {
        for (IoTransport t : IoTransport.values()) {
            TransportChoice c = TransportChoice.choose(Choice.valueOf(t.name()), without(Set.of()));
            assertThat(c.transport()).isEqualTo(t);
            assertThat(c.reason()).isEqualTo("PROXY_IO_TRANSPORT=" + t.label());
        }
    }

    @Test
    void aNamedTransportThatDoesNotLoadStopsStartUpNamingTheVariableAndTheCause() {
        assertThatThrownBy(() -> TransportChoice.choose(Choice.IO_URING, without(EnumSet.of(IoTransport.IO_URING))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PROXY_IO_TRANSPORT: io_uring does not work here: ")
                .hasMessageContaining("Operation not permitted");
        assertThatThrownBy(() -> TransportChoice.choose(Choice.EPOLL, without(EnumSet.of(IoTransport.EPOLL))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_IO_TRANSPORT: epoll");
    }

    @Test
    void labelsAreTheSettingsValues() {
        assertThat(IoTransport.IO_URING.label()).isEqualTo("io_uring");
        assertThat(IoTransport.EPOLL.label()).isEqualTo("epoll");
        assertThat(IoTransport.NIO.label()).isEqualTo("nio");
        assertThat(IoTransport.named(Choice.AUTO)).isNull();
    }
}

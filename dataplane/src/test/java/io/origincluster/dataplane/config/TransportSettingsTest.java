package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportSettingsTest {

    private static TransportSettings.Choice parse(String value) {
        return TransportSettings.from(new Env(Map.of("PROXY_IO_TRANSPORT", value))).choice();
    }

    @Test
    void autoByDefault() {
        assertThat(TransportSettings.from(new Env(Map.of())).choice()).isEqualTo(TransportSettings.Choice.AUTO);
        assertThat(ProxyConfig.from(Map.of()).transport().choice()).isEqualTo(TransportSettings.Choice.AUTO);
    }

    @Test
    void eachTransportByItsName() {
        assertThat(parse("auto")).isEqualTo(TransportSettings.Choice.AUTO);
        assertThat(parse("io_uring")).isEqualTo(TransportSettings.Choice.IO_URING);
        assertThat(parse("epoll")).isEqualTo(TransportSettings.Choice.EPOLL);
        assertThat(parse(" NIO ")).isEqualTo(TransportSettings.Choice.NIO);
    }

    @Test
    void anUnknownTransportNamesTheVariableAndTheChoices() {
        assertThatThrownBy(() -> parse("kqueue")).isInstanceOf(ConfigException.class)
                .hasMessage("PROXY_IO_TRANSPORT: 'kqueue' is not auto, io_uring, epoll or nio");
        assertThatThrownBy(() -> parse("iouring")).hasMessageStartingWith("PROXY_IO_TRANSPORT: 'iouring'");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_IO_TRANSPORT", "uring")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_IO_TRANSPORT:");
    }

    @Test
    void theSettingIsInTheStartLine() {
        assertThat(ProxyConfig.from(Map.of("PROXY_IO_TRANSPORT", "epoll")).description())
                .contains("PROXY_IO_TRANSPORT=epoll");
    }
}

package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvTest {

    @TempDir
    Path dir;

    @Test
    void emptyValueCountsAsUnsetAsInTheGoProxy() {
        Env env = new Env(Map.of("PROXY_A", ""));
        assertThat(env.string("PROXY_A", "dflt")).isEqualTo("dflt");
        assertThat(env.string("PROXY_B", "other")).isEqualTo("other");
    }

    @Test
    void dotEnvFillsWhatTheEnvironmentLacksAndNeverOverrides() throws Exception {
        Files.writeString(dir.resolve(".env"), """
                # comment line
                PROXY_RTMP_SERVER=1936
                export PROXY_HTTP_SERVER = 8081
                PROXY_STATIC_FILES="/srv/with space"   
                PROXY_REDIS_PASSWORD='p#ss'
                PROXY_REDIS_HOST=redis.local # trailing comment
                PROXY_SYSTEM_API=12026
                not a setting
                =nokey
                """);
        Env env = Env.load(dir, Map.of("PROXY_SYSTEM_API", "9999", "PROXY_HTTP_API", ""));
        assertThat(env.string("PROXY_RTMP_SERVER", "x")).isEqualTo("1936");
        assertThat(env.string("PROXY_HTTP_SERVER", "x")).isEqualTo("8081");
        assertThat(env.string("PROXY_STATIC_FILES", "x")).isEqualTo("/srv/with space");
        assertThat(env.string("PROXY_REDIS_PASSWORD", "x")).isEqualTo("p#ss");
        assertThat(env.string("PROXY_REDIS_HOST", "x")).isEqualTo("redis.local");
        assertThat(env.string("PROXY_SYSTEM_API", "x")).as("process env wins").isEqualTo("9999");
        assertThat(env.string("PROXY_HTTP_API", "x")).as("empty process value is unset").isEqualTo("x");
    }

    @Test
    void noDotEnvIsFine() {
        assertThat(Env.load(dir, Map.of()).string("PROXY_X", "d")).isEqualTo("d");
    }

    @Test
    void listenAcceptsPortAndIpPort() {
        Env env = new Env(Map.of("A", "1935", "B", "127.0.0.1:1936", "C", "[::1]:1937", "D", ":1938", "E", "0"));
        assertThat(env.listen("A", 1)).isEqualTo(new InetSocketAddress(1935));
        assertThat(env.listen("B", 1)).isEqualTo(new InetSocketAddress("127.0.0.1", 1936));
        assertThat(env.listen("C", 1)).isEqualTo(new InetSocketAddress("::1", 1937));
        assertThat(env.listen("D", 1)).isEqualTo(new InetSocketAddress(1938));
        assertThat(env.listen("E", 1).getPort()).isZero();
        assertThat(env.listen("UNSET", 11935)).isEqualTo(new InetSocketAddress(11935));
    }

    @ParameterizedTest
    @CsvSource({"20s,20000", "1m30s,90000", "500ms,500", "1h,3600000", "15,15000", "1.5s,1500"})
    void goDurations(String value, long millis) {
        assertThat(new Env(Map.of("D", value)).duration("D", "1s")).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"20x", "s", "1s2", "-1s", "ten"})
    void badDurationsNameTheVariable(String value) {
        assertThatThrownBy(() -> new Env(Map.of("PROXY_D", value)).duration("PROXY_D", "1s"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_D: ");
    }

    @Test
    void integersAndOnOff() {
        Env env = new Env(Map.of("I", "7", "J", "x", "K", "99", "ON", "on", "OFF", "off", "BAD", "maybe"));
        assertThat(env.integer("I", 0, 0, 10)).isEqualTo(7);
        assertThatThrownBy(() -> env.integer("J", 0, 0, 10)).hasMessageStartingWith("J: ");
        assertThatThrownBy(() -> env.integer("K", 0, 0, 10)).hasMessageContaining("outside");
        assertThat(env.onOff("ON", false)).isTrue();
        assertThat(env.onOff("OFF", true)).isFalse();
        assertThatThrownBy(() -> env.onOff("BAD", false)).hasMessageStartingWith("BAD: ");
    }

    @Test
    void describeMasksSecretsButShowsTheRest() {
        Env env = new Env(Map.of("PROXY_REDIS_PASSWORD", "hunter2", "PROXY_RTMP_SERVER", "1935"));
        env.secret("PROXY_REDIS_PASSWORD");
        env.string("PROXY_RTMP_SERVER", "11935");
        assertThat(env.describe()).contains("PROXY_RTMP_SERVER=1935").contains("PROXY_REDIS_PASSWORD=******")
                .doesNotContain("hunter2");
    }
}

package io.origincluster.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTheGoProxys() {
        ProxyConfig c = ProxyConfig.from(Map.of());
        assertThat(c.rtmp().listen()).isEqualTo(new InetSocketAddress(11935));
        assertThat(c.http().streamListen()).isEqualTo(new InetSocketAddress(18080));
        assertThat(c.http().apiListen()).isEqualTo(new InetSocketAddress(11985));
        assertThat(c.webrtc().listen()).isEqualTo(new InetSocketAddress(18000));
        assertThat(c.srt().listen()).isEqualTo(new InetSocketAddress(20080));
        assertThat(c.systemApi().listen()).isEqualTo(new InetSocketAddress(12025));
        assertThat(c.rtsp().listen()).isEqualTo(new InetSocketAddress(18554));
        assertThat(c.rtsp().setupTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.rtsp().idleTimeout()).isEqualTo(Duration.ofSeconds(70));
        assertThat(c.defaultBackend().endpoints()).as("no RTSP endpoint unless configured")
                .doesNotContainKey(Protocol.RTSP);
        assertThat(c.http().staticFiles()).isNull();
        assertThat(c.state().type()).isEqualTo(StateSettings.Type.MEMORY);
        assertThat(c.state().redisUri()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(c.state().clusterId()).isEqualTo("default");
        assertThat(c.graceQuitTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.forceQuitTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.systemApi().registerTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.systemApi().token()).isEmpty();
        assertThat(c.systemApi().maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(c.defaultBackend().enabled()).isFalse();
        assertThat(c.defaultBackend().ip()).isEqualTo("127.0.0.1");
        assertThat(c.defaultBackend().rtmp()).isEqualTo("1935");
        assertThat(c.defaultBackend().http()).as("unlike Go, HTTP has a default").isEqualTo("8080");
        assertThat(c.defaultBackend().api()).isEqualTo("1985");
        assertThat(c.routing().placement()).isEqualTo("least-pinned");
        assertThat(c.routing().connectRetries()).isEqualTo(2);
    }

    @Test
    void readsDotEnvFromTheWorkingDirectoryUnderTheEnvironment() throws Exception {
        Files.writeString(dir.resolve(".env"), "PROXY_RTMP_SERVER=1935\nPROXY_SYSTEM_API=127.0.0.1:12026\n"
                + "PROXY_LOAD_BALANCER_TYPE=redis\nPROXY_REDIS_HOST=10.0.0.5\n");
        ProxyConfig c = ProxyConfig.from(Env.load(dir, Map.of("PROXY_RTMP_SERVER", "1940")));
        assertThat(c.rtmp().listen().getPort()).isEqualTo(1940);
        assertThat(c.systemApi().listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 12026));
        assertThat(c.state().type()).isEqualTo(StateSettings.Type.REDIS);
        assertThat(c.state().redisUri()).isEqualTo("redis://10.0.0.5:6379/0");
    }

    @Test
    void everyListenerTakesPortOrIpPort() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_RTMP_SERVER", "1935", "PROXY_HTTP_SERVER", "127.0.0.1:8080",
                "PROXY_HTTP_API", "0.0.0.0:1985", "PROXY_WEBRTC_SERVER", "8000", "PROXY_SRT_SERVER", "127.0.0.1:10080",
                "PROXY_SYSTEM_API", "[::1]:12025"));
        assertThat(c.rtmp().listen()).isEqualTo(new InetSocketAddress(1935));
        assertThat(c.http().streamListen()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(c.http().apiListen()).isEqualTo(new InetSocketAddress("0.0.0.0", 1985));
        assertThat(c.webrtc().listen().getPort()).isEqualTo(8000);
        assertThat(c.srt().listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 10080));
        assertThat(c.systemApi().listen()).isEqualTo(new InetSocketAddress("::1", 12025));
    }

    @Test
    void redisSettingsFromGoVariablesOrUrl() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_REDIS_HOST", "r.example", "PROXY_REDIS_PORT", "6380",
                "PROXY_REDIS_PASSWORD", "p@ss word", "PROXY_REDIS_DB", "3", "PROXY_CLUSTER_ID", "east-1"));
        assertThat(c.state().redisUri()).isEqualTo("redis://:p%40ss+word@r.example:6380/3");
        assertThat(c.state().clusterId()).isEqualTo("east-1");
        ProxyConfig url = ProxyConfig.from(Map.of("PROXY_REDIS_URL", "rediss://r.example:6390/1"));
        assertThat(url.state().redisUri()).isEqualTo("rediss://r.example:6390/1");
    }

    @Test
    void redisClusterNodesBecomeOneUriPerSeedWithThePassword() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_LOAD_BALANCER_TYPE", "redis",
                "PROXY_REDIS_CLUSTER_NODES", "10.0.0.1:7000, r2.example:7001,[fd00::3]:7002",
                "PROXY_REDIS_PASSWORD", "p@ss word"));
        assertThat(c.state().redisCluster()).isTrue();
        assertThat(c.state().clusterNodes()).containsExactly("redis://:p%40ss%20word@10.0.0.1:7000",
                "redis://:p%40ss%20word@r2.example:7001", "redis://:p%40ss%20word@[fd00::3]:7002");
        assertThat(c.state().toString()).doesNotContain("ss");
        ProxyConfig tls = ProxyConfig.from(Map.of("PROXY_LOAD_BALANCER_TYPE", "redis",
                "PROXY_REDIS_CLUSTER_NODES", "rediss://a.example:6379,rediss://b.example:6379"));
        assertThat(tls.state().clusterNodes()).containsExactly("rediss://a.example:6379", "rediss://b.example:6379");
        assertThat(ProxyConfig.from(Map.of("PROXY_LOAD_BALANCER_TYPE", "redis")).state().redisCluster()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis | 10.0.0.1 | | | PROXY_REDIS_CLUSTER_NODES: '10.0.0.1' is not host:port",
        "redis | 10.0.0.1:7000,,10.0.0.2:7000 | | | PROXY_REDIS_CLUSTER_NODES: '' is not host:port",
        "redis | 10.0.0.1:70000 | | | PROXY_REDIS_CLUSTER_NODES: port 70000",
        "redis | redis://a:1,rediss://b:2 | | | PROXY_REDIS_CLUSTER_NODES: mixes redis:// and rediss://",
        "redis | http://a:1 | | | PROXY_REDIS_CLUSTER_NODES: 'http://a:1' is not host:port",
        "memory | a:1 | | | PROXY_REDIS_CLUSTER_NODES: needs PROXY_LOAD_BALANCER_TYPE=redis",
        "redis | a:1 | redis://r:6379/0 | | PROXY_REDIS_CLUSTER_NODES: set either it or PROXY_REDIS_URL",
        "redis | a:1 | | 2 | PROXY_REDIS_DB: must be 0 with PROXY_REDIS_CLUSTER_NODES",
    })
    void badRedisClusterNodesAreRefusedNamingTheVariable(String type, String nodes, String url, String db,
                                                         String message) {
        Map<String, String> env = new HashMap<>(Map.of("PROXY_LOAD_BALANCER_TYPE", type,
                "PROXY_REDIS_CLUSTER_NODES", nodes));
        if (url != null) {
            env.put("PROXY_REDIS_URL", url);
        }
        if (db != null) {
            env.put("PROXY_REDIS_DB", db);
        }
        assertThatThrownBy(() -> ProxyConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void defaultBackendEndpointsGoThroughTheEndpointParser() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_DEFAULT_BACKEND_ENABLED", "on",
                "PROXY_DEFAULT_BACKEND_RTMP", "10.0.0.2:19350", "PROXY_DEFAULT_BACKEND_RTC", "udp://8001"));
        assertThat(c.defaultBackend().enabled()).isTrue();
        Map<Protocol, List<Endpoint>> e = c.defaultBackend().endpoints();
        assertThat(e.get(Protocol.RTMP)).containsExactly(new Endpoint("tcp", "10.0.0.2", 19350));
        assertThat(e.get(Protocol.HTTP)).containsExactly(new Endpoint("tcp", null, 8080));
        assertThat(e.get(Protocol.RTC)).containsExactly(new Endpoint("udp", null, 8001));
        assertThat(e.get(Protocol.SRT)).containsExactly(new Endpoint("udp", null, 10080));
    }

    @Test
    void rtspListenerCanBeTurnedOffAndTheDefaultBackendCanOfferRtsp() {
        ProxyConfig off = ProxyConfig.from(Map.of("PROXY_RTSP_SERVER", "OFF"));
        assertThat(off.rtsp().enabled()).isFalse();
        ProxyConfig on = ProxyConfig.from(Map.of("PROXY_RTSP_SERVER", "127.0.0.1:8554",
                "PROXY_DEFAULT_BACKEND_ENABLED", "on", "PROXY_DEFAULT_BACKEND_RTSP", "8554"));
        assertThat(on.rtsp().listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 8554));
        assertThat(on.defaultBackend().endpoints().get(Protocol.RTSP))
                .containsExactly(new Endpoint("tcp", null, 8554));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "PROXY_RTMP_SERVER          | abc",
        "PROXY_RTMP_SERVER          | 70000",
        "PROXY_HTTP_SERVER          | 127.0.0.1:x",
        "PROXY_HTTP_API             | -1",
        "PROXY_WEBRTC_SERVER        | :",
        "PROXY_SRT_SERVER           | 1.2.3.4:99999",
        "PROXY_SYSTEM_API           | api",
        "PROXY_RTSP_SERVER          | on",
        "PROXY_RTSP_SERVER          | 127.0.0.1:70000",
        "PROXY_RTSP_SETUP_TIMEOUT   | 10ms",
        "PROXY_RTSP_SETUP_TIMEOUT   | later",
        "PROXY_RTSP_IDLE_TIMEOUT    | 1ms",
        "PROXY_DEFAULT_BACKEND_RTSP | rtsp://1.2.3.4:554",
        "PROXY_LOAD_BALANCER_TYPE   | mesh",
        "PROXY_REDIS_PORT           | 0",
        "PROXY_REDIS_PORT           | sixthousand",
        "PROXY_REDIS_DB             | -2",
        "PROXY_REDIS_DB             | x",
        "PROXY_REDIS_URL            | http://redis:6379",
        "PROXY_CLUSTER_ID           | bad id!",
        "PROXY_GRACE_QUIT_TIMEOUT   | soon",
        "PROXY_FORCE_QUIT_TIMEOUT   | 5s",
        "PROXY_STATIC_FILES         | /no/such/dir/anywhere",
        "PROXY_REGISTER_TTL         | 500ms",
        "PROXY_REGISTER_TTL         | forever",
        "PROXY_SYSTEM_API_MAX_BODY  | 10",
        "PROXY_SYSTEM_API_MAX_BODY  | big",
        "PROXY_SYSTEM_API_IDLE_TIMEOUT | 1ms",
        "PROXY_DEFAULT_BACKEND_ENABLED | maybe",
        "PROXY_DEFAULT_BACKEND_IP   | not an ip",
        "PROXY_DEFAULT_BACKEND_RTMP | abc",
        "PROXY_DEFAULT_BACKEND_HTTP | 0",
        "PROXY_DEFAULT_BACKEND_API  | 1.2.3.4:",
        "PROXY_DEFAULT_BACKEND_RTC  | ftp://1.2.3.4:8000",
        "PROXY_DEFAULT_BACKEND_SRT  | udp://::1:10080",
        "PROXY_PLACEMENT            | round-robin",
        "PROXY_PIN_TTL              | 10ms",
        "PROXY_CONNECT_TIMEOUT      | x",
        "PROXY_CONNECT_RETRIES      | 11",
        "PROXY_PIN_CACHE_TTL        | 1y",
    })
    void everyInvalidValueStopsStartupNamingTheVariable(String variable, String value) {
        Map<String, String> env = new HashMap<>();
        env.put(variable, value);
        assertThatThrownBy(() -> ProxyConfig.from(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(variable + ": ");
    }

    @Test
    void descriptionListsSettingsWithSecretsMasked() {
        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_REDIS_PASSWORD", "hunter2", "PROXY_SYSTEM_API_TOKEN",
                "tok-123456", "PROXY_RTMP_SERVER", "1935"));
        assertThat(c.description())
                .contains("PROXY_RTMP_SERVER=1935")
                .contains("PROXY_REDIS_PASSWORD=******")
                .contains("PROXY_SYSTEM_API_TOKEN=******")
                .contains("PROXY_REGISTER_TTL=30s")
                .doesNotContain("hunter2")
                .doesNotContain("tok-123456");
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("tok-123456");
        assertThat(c.state().toString()).doesNotContain("hunter2");
        assertThat(c.systemApi().toString()).doesNotContain("tok-123456");
    }
}

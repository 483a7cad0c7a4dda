package io.origincluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.operator.OperatorSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The images cannot be built here (no container engine), so this checks the Dockerfiles against the code they
 * package: the jar they copy is the one the shade plugin writes, the ports they declare are the processes'
 * defaults, they run as a non-root user with container-aware JVM flags.
 */
class DockerfileTest {
    static final Path ROOT = Path.of("..");

    @Test
    void dataplaneImage() throws IOException {
        String df = Files.readString(ROOT.resolve("dataplane/Dockerfile"));
        assertCommon(df, "dataplane");
        ProxyConfig defaults = ProxyConfig.from(Map.of());
        Set<String> expected = Set.of(
                defaults.rtmp().listen().getPort() + "/tcp",
                defaults.http().streamListen().getPort() + "/tcp",
                defaults.http().apiListen().getPort() + "/tcp",
                defaults.systemApi().listen().getPort() + "/tcp",
                defaults.rtsp().listen().getPort() + "/tcp",
                defaults.webrtc().listen().getPort() + "/udp",
                defaults.srt().listen().getPort() + "/udp");
        assertThat(expected).containsExactlyInAnyOrder("11935/tcp", "18080/tcp", "11985/tcp", "12025/tcp",
                "18554/tcp", "18000/udp", "20080/udp");
        assertThat(exposed(df)).isEqualTo(expected);
        // the measured defaults (docs/benchmarks.md, "JVM defaults"): a collector that gives the heap back when the
        // proxy is idle, and a heap share that leaves Netty's direct buffers (as large as the heap by default) room
        assertThat(df).contains("-XX:+UseG1GC").contains("-XX:G1PeriodicGCInterval=").contains("-XX:MaxHeapFreeRatio=")
                .contains("-XX:MaxRAMPercentage=40.0").contains("MALLOC_ARENA_MAX=2");
    }

    @Test
    void operatorImage() throws IOException {
        String df = Files.readString(ROOT.resolve("operator/Dockerfile"));
        assertCommon(df, "operator");
        assertThat(exposed(df)).containsExactly(OperatorSettings.from(Map.of()).healthPort() + "/tcp");
    }

    private static void assertCommon(String df, String module) throws IOException {
        String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).as("%s/pom.xml names its shaded jar", module).isTrue();
        assertThat(df).contains("COPY --from=build /src/" + module + "/target/" + finalName.group(1) + ".jar ");
        assertThat(df).containsPattern("(?m)^FROM eclipse-temurin:17-jre$");
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(df);
        assertThat(user.find()).as("numeric USER, so runAsNonRoot can verify it").isTrue();
        assertThat(Integer.parseInt(user.group(1))).isPositive();
        assertThat(df).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(df).containsPattern("(?m)^ENTRYPOINT \\[\"java\", \"-jar\", ");
        // every module pom the reactor needs is copied before the build
        List<String> modules = Arrays.stream(Files.readString(ROOT.resolve("pom.xml")).split("<module>")).skip(1)
                .map(s -> s.substring(0, s.indexOf('<'))).toList();
        modules.forEach(m -> assertThat(df).contains("COPY " + m + "/pom.xml " + m + "/"));
        // -DskipTests still compiles every module's tests, and they start their peers through the testkit
        assertThat(df).contains("COPY testkit/src testkit/src");
    }

    private static Set<String> exposed(String df) {
        return df.lines().filter(l -> l.startsWith("EXPOSE ")).flatMap(l -> Arrays.stream(l.substring(7).trim()
                .split("\\s+"))).collect(Collectors.toSet());
    }
}

package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config each kind of origin gets, checked as text and by nginx itself ({@code nginx -t}). */
class NginxRtmpConfigTest {

    @TempDir
    Path dir;

    @Test
    void testsGetHlsInTheServedFolderAndEverySessionLogged() throws Exception {
        String conf = NginxRtmpConfig.defaults("127.0.0.1", 1935, 8080).render(dir);
        assertThat(conf).contains("listen 127.0.0.1:1935;").contains("listen 127.0.0.1:8080;")
                .contains("hls on;").contains("hls_path " + dir + "/html/live;").contains("hls_fragment 1s;")
                .contains("root " + dir + "/html;").contains("location /stat { rtmp_stat all; }")
                .contains("error_log " + dir + "/logs/error.log info;").contains("worker_connections 1024;")
                .doesNotContain("dash on").doesNotContain("worker_rlimit_nofile");
        assertThat(nginxAccepts(conf)).isEmpty();
    }

    @Test
    void dashTakesTheServedFolderAndHlsMovesAside() throws Exception {
        String conf = new NginxRtmpConfig("127.0.0.1", 1935, 8080, List.of(), true, true, null, 1024, "info")
                .render(dir);
        assertThat(conf).contains("dash on;").contains("dash_path " + dir + "/html/live;")
                .contains("hls_path " + dir + "/html/hls-unused;").contains("application/dash+xml mpd;");
        assertThat(nginxAccepts(conf)).isEmpty();
    }

    @Test
    void aPodGetsItsAddressOnEveryListener() throws Exception {
        String conf = new NginxRtmpConfig("127.0.0.7", 19350, 18080, List.of(18081, 18082), true, false, null, 1024,
                "info").render(dir);
        assertThat(conf).contains("listen 127.0.0.7:19350;").contains("listen 127.0.0.7:18080;")
                .contains("listen 127.0.0.7:18081;").contains("listen 127.0.0.7:18082;")
                .doesNotContain("127.0.0.1");
        assertThat(nginxAccepts(conf)).isEmpty();
    }

    @Test
    void theBenchGetsLiveOnlyManyConnectionsAndItsOwnRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("fixture"));
        String conf = new NginxRtmpConfig("127.0.0.1", 1935, 8080, List.of(), false, false, root, 19000, "warn")
                .render(dir);
        assertThat(conf).contains("live on;").doesNotContain("hls").doesNotContain("dash on")
                .contains("worker_connections 19000;").contains("worker_rlimit_nofile 20000;")
                .contains("error_log " + dir + "/logs/error.log warn;").contains("root " + root + ";")
                .contains("location = /stub_status { stub_status; }").contains("sendfile on;");
        assertThat(nginxAccepts(conf)).isEmpty();
    }

    /** nginx -t's complaints about {@code conf}, or empty when it accepts it. */
    private String nginxAccepts(String conf) throws Exception {
        Tools.require("nginx");
        Tools.requireFile(Path.of(NginxRtmpConfig.MODULE), "nginx's RTMP module");
        for (String sub : List.of("html/live", "logs", "tmp")) {
            Files.createDirectories(dir.resolve(sub));
        }
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        try (Proc p = Proc.start("nginx-t", List.of("nginx", "-t", "-p", dir.toString(), "-c", file.toString()))) {
            int rc = p.waitFor(20);
            return rc == 0 && p.output().contains("test is successful") ? "" : "exit " + rc + ": " + p.output();
        }
    }
}

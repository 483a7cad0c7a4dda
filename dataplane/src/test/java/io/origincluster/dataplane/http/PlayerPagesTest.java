package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code /players/} is served on the HTTP stream port: the bundled pages and libraries with their types,
 * {@code proxy.json} naming the HTTP API port, {@code PROXY_STATIC_FILES} winning where it has the file, and
 * {@code PROXY_PLAYER_PAGES=off}.
 */
class PlayerPagesTest {

    private Dataplane proxy;

    @AfterEach
    void stop() {
        ProxyFixture.closeAll(proxy);
    }

    @Test
    void bundledPagesLibrariesAndTheApiPort() throws Exception {
        proxy = ProxyFixture.start(Map.of());
        int http = ProxyFixture.httpPort(proxy);
        for (String page : new String[] {"whip.html", "whep.html", "srs_player.html", ""}) {
            HttpResponse<String> r = ProxyFixture.get(http, "/players/" + page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(r.body()).contains("<!DOCTYPE html>");
        }
        HttpResponse<String> hls = ProxyFixture.get(http, "/players/js/hls.light.min.js");
        assertThat(hls.statusCode()).isEqualTo(200);
        assertThat(hls.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(hls.body().length()).isGreaterThan(100_000);
        assertThat(ProxyFixture.get(http, "/players/js/mpegts.js").statusCode()).isEqualTo(200);
        assertThat(ProxyFixture.get(http, "/players/js/mpegts.js-LICENSE.txt").body()).contains("Apache License");
        assertThat(ProxyFixture.get(http, "/players/proxy.json").body())
                .isEqualTo("{\"httpApiPort\":" + proxy.port("http-api") + "}");
        HttpResponse<String> bare = ProxyFixture.get(http, "/players");
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("location")).hasValue("/players/");
        HttpResponse<String> missing = ProxyFixture.get(http, "/players/nothing.html");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no stream or file at /players/nothing.html");
        assertThat(ProxyFixture.get(http, "/players/../players/whip.html").statusCode()).isIn(200, 400, 403, 404);
        assertThat(ProxyFixture.get(http, "/elsewhere.html").statusCode()).isEqualTo(404);
    }

    @Test
    void staticFilesWinWhereTheyHaveTheFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("players"));
        Files.writeString(dir.resolve("players/whip.html"), "SRS's own whip.html");
        proxy = ProxyFixture.start(Map.of("PROXY_STATIC_FILES", dir.toString()));
        int http = ProxyFixture.httpPort(proxy);
        assertThat(ProxyFixture.get(http, "/players/whip.html").body()).isEqualTo("SRS's own whip.html");
        // what the folder lacks still comes from the jar
        assertThat(ProxyFixture.get(http, "/players/whep.html").body()).contains("WHEP player");
    }

    @Test
    void offMeansNoPlayerPages() throws Exception {
        proxy = ProxyFixture.start(Map.of("PROXY_PLAYER_PAGES", "off"));
        assertThat(ProxyFixture.get(ProxyFixture.httpPort(proxy), "/players/whip.html").statusCode()).isEqualTo(404);
    }
}

package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.dataplane.testpeers.GstWhepOrigin;
import io.origincluster.dataplane.testpeers.HeadlessChromium;
import io.origincluster.dataplane.testpeers.TestMedia;
import io.origincluster.dataplane.testpeers.WhipTestOrigin;
import io.origincluster.testkit.NginxRtmpOrigin;
import io.origincluster.testkit.Proc;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The built-in player pages in headless Chromium, playing through a real proxy: srs_player.html plays HLS that
 * nginx-rtmp makes of an RTMP stream ffmpeg publishes through the proxy, and live HTTP-FLV from a test origin (the
 * video element's clock must advance, with a decoded picture size); whip.html publishes the fake camera over WHIP
 * through the proxy to a libwebrtc origin (ICE and DTLS through the proxy's UDP port, RTP packets sent).
 */
class PlayerPagesBrowserTest {

    private Dataplane proxy;
    private NginxRtmpOrigin nginx;
    private MediaHttpOrigin flvOrigin;
    private WhipTestOrigin whipOrigin;
    private GstWhepOrigin whepOrigin;
    private Proc publisher;
    private HeadlessChromium browser;

    @AfterEach
    void stop() {
        ProxyFixture.closeAll(browser, publisher, proxy, flvOrigin, whipOrigin, whepOrigin, nginx);
    }

    @Test
    void hlsOfAnRtmpStreamPublishedThroughTheProxyPlays() throws Exception {
        proxy = ProxyFixture.start(Map.of());
        nginx = NginxRtmpOrigin.start();
        register(nginx.registerBody("nginx-a"));
        publisher = Ffmpeg.publishRtmp("rtmp://127.0.0.1:" + proxy.port("rtmp") + "/live/cam");
        int http = ProxyFixture.httpPort(proxy);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                ProxyFixture.get(http, "/live/cam.m3u8").statusCode() == 200);
        browser = HeadlessChromium.start();
        browser.open(player(http, "http://127.0.0.1:" + http + "/live/cam.m3u8"));
        awaitPlaying("hls");
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("player-hls.png"));
        assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    }

    @Test
    void liveHttpFlvPlays() throws Exception {
        proxy = ProxyFixture.start(Map.of());
        flvOrigin = MediaHttpOrigin.startLive(TestMedia.flv(), TestMedia.ts());
        ProxyFixture.registerHttpOrigin(proxy.store(), "flv-1", flvOrigin.port());
        int http = ProxyFixture.httpPort(proxy);
        browser = HeadlessChromium.start();
        browser.open(player(http, "http://127.0.0.1:" + http + "/live/clip.flv"));
        awaitPlaying("flv");
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("player-flv.png"));
        assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    }

    @Test
    void whipPagePublishesTheCameraThroughTheProxy() throws Exception {
        proxy = ProxyFixture.start(Map.of());
        whipOrigin = WhipTestOrigin.start();
        proxy.store().register(whipOrigin.backend("rtc-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        int http = ProxyFixture.httpPort(proxy);
        browser = HeadlessChromium.start();
        // the page finds the HTTP API port itself (proxy.json): no URL given, only the stream
        browser.open("http://127.0.0.1:" + http + "/players/whip.html?app=live&stream=cam&autostart=1");
        assertThat(browser.driver().findElement(By.id("url")).getAttribute("value"))
                .isEqualTo("http://127.0.0.1:" + proxy.port("http-api") + "/rtc/v1/whip/?app=live&stream=cam");
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String status = browser.driver().findElement(By.id("status")).getText();
            return status.contains("connection connected") && sentPackets(status) > 50;
        });
        assertThat(whipOrigin.seen()).anySatisfy(s -> assertThat(s.uri()).isEqualTo(
                "/rtc/v1/whip/?app=live&stream=cam"));
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("player-whip.png"));
        assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    }

    /**
     * whep.html plays through the proxy from a GStreamer webrtcbin origin sending a VP8 test pattern: ICE and DTLS
     * complete through the proxy's UDP port, RTP arrives and the video element shows a picture.
     */
    @Test
    void whepPagePlaysThroughTheProxy() throws Exception {
        proxy = ProxyFixture.start(Map.of());
        whepOrigin = GstWhepOrigin.start();
        proxy.store().register(whepOrigin.backend("gst-1"), Duration.ofMinutes(5)).toCompletableFuture().join();
        int http = ProxyFixture.httpPort(proxy);
        browser = HeadlessChromium.start();
        browser.open("http://127.0.0.1:" + http + "/players/whep.html?app=live&stream=cam&autostart=1");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                String status = browser.driver().findElement(By.id("status")).getText();
                return status.contains("connection connected") && receivedPackets(status) > 50;
            });
            awaitPlaying("whep");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page: " + browser.driver().findElement(By.id("status")).getText()
                    + "\norigin: " + whepOrigin.output(), e);
        }
        // the media came through the proxy's UDP relay, origin to player
        io.origincluster.dataplane.metrics.Scrape scrape = io.origincluster.dataplane.metrics.Scrape.of(
                proxy.port("system-api"));
        assertThat(scrape.sum("origincluster_relayed_bytes_total", "protocol", "webrtc", "direction",
                "origin_to_client")).isGreaterThan(10_000);
        browser.screenshot(HeadlessChromium.screenshotDir().resolve("player-whep.png"));
        assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    }

    private static long receivedPackets(String status) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RTP packets received (\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private void register(String body) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + proxy.port("system-api")
                        + "/api/v1/srs/register")).timeout(Duration.ofSeconds(5))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static long sentPackets(String status) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RTP packets sent (\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String player(int httpPort, String streamUrl) {
        return "http://127.0.0.1:" + httpPort + "/players/srs_player.html?autostart=1&url="
                + URLEncoder.encode(streamUrl, StandardCharsets.UTF_8);
    }

    /** The video element's clock passes 2 s, then keeps moving, with a decoded picture. */
    private void awaitPlaying(String what) {
        Awaitility.await(what + " playing").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> browser.number("return document.getElementById('video').currentTime") > 2);
        double first = browser.number("return document.getElementById('video').currentTime");
        Awaitility.await(what + " still advancing").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> browser.number("return document.getElementById('video').currentTime") > first + 1);
        assertThat(browser.number("return document.getElementById('video').videoWidth")).isGreaterThan(0);
    }
}

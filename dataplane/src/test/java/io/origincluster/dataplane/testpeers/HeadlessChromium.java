package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Tools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through its chromedriver (Selenium's WebDriver client), for the console and
 * player page tests. Fake camera and microphone (a test pattern and a beep) stand in for media devices, and
 * autoplay needs no gesture. Both binaries are required: a missing one fails the test (install-test-deps.sh).
 */
public final class HeadlessChromium implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static HeadlessChromium start() throws IOException {
        Tools.require("chromium", "chromedriver");
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Tools.which("chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                // WebRTC on loopback: the proxy and the test origins listen on 127.0.0.1 only
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(Tools.which("chromedriver"))).usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
        return new HeadlessChromium(driver, profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Runs {@code script} in the page ({@code return ...} gives a value). */
    public Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    public double number(String script) {
        Object v = js(script);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The browser console's entries since the last call (errors, warnings, logs and failed loads). */
    public List<LogEntry> consoleEntries() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** Console errors since the last call (uncaught exceptions, failed loads, console.error). */
    public List<String> consoleErrors() {
        return consoleEntries().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** A PNG of the viewport, written to {@code file} (its folder made when missing). */
    public Path screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Resizes the window, e.g. before a screenshot of a whole page. */
    public void windowSize(int width, int height) {
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }
    }

    /** Where tests put their screenshots: {@code target/screenshots} of the module. */
    public static Path screenshotDir() {
        return Path.of("target", "screenshots");
    }
}

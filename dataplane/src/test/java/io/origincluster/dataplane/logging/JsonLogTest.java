package io.origincluster.dataplane.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.origincluster.dataplane.config.ConfigException;
import io.origincluster.dataplane.config.LogSettings;
import io.origincluster.dataplane.config.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PROXY_LOG_FORMAT=json through real logback: one JSON object per line with the text format's keys. */
class JsonLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonLinesCarryTheKeyValuePairsAsTopLevelKeys() throws Exception {
        Logger log = LoggerFactory.getLogger("json-log-test");
        List<String> lines = captured(() -> {
            log.atInfo().addKeyValue("sid", "k3x9").addKeyValue("key", "__defaultVhost__/live/cam1")
                    .addKeyValue("backend", "origin-1").addKeyValue("level", "shadowed").addKeyValue("n", 42)
                    .log("session ended: {}", "client closed \"bye\"\nsecond line");
            log.atWarn().addKeyValue("sid", "k3x9").setCause(new IllegalStateException("boom"))
                    .log("origin connect failed");
        });
        // every line is one JSON object (other threads of the JVM may log meanwhile: only ours are checked)
        for (String line : lines) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        lines = lines.stream().filter(l -> l.contains("\"logger\":\"json-log-test\"")).toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("logger").asText()).isEqualTo("json-log-test");
        assertThat(first.get("message").asText()).isEqualTo("session ended: client closed \"bye\"\nsecond line");
        assertThat(first.get("sid").asText()).isEqualTo("k3x9");
        assertThat(first.get("key").asText()).isEqualTo("__defaultVhost__/live/cam1");
        assertThat(first.get("backend").asText()).isEqualTo("origin-1");
        assertThat(first.get("kv_level").asText()).isEqualTo("shadowed");
        assertThat(first.get("n").asLong()).isEqualTo(42);
        assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("WARN");
        assertThat(second.get("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(second.get("stack").isArray()).isTrue();
        assertThat(second.get("stack").size()).isBetween(1, 8);
    }

    @Test
    void theFormatIsValidatedWithTheOtherSettings() {
        assertThat(ProxyConfig.from(Map.of()).log().format()).isEqualTo(LogSettings.Format.TEXT);
        assertThat(ProxyConfig.from(Map.of("PROXY_LOG_FORMAT", "JSON")).log().format())
                .isEqualTo(LogSettings.Format.JSON);
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("PROXY_LOG_FORMAT", "xml")))
                .isInstanceOf(ConfigException.class).hasMessage("PROXY_LOG_FORMAT: 'xml' is not text or json");
        // text leaves logback's own configuration alone
        Logger log = LoggerFactory.getLogger("text-check");
        PrintStream before = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            LogFormat.apply(new LogSettings(LogSettings.Format.TEXT)).run();
            log.atWarn().addKeyValue("sid", "t1").log("plain");
        } finally {
            System.setOut(before);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("plain").doesNotStartWith("{");
    }

    @Test
    void linesBehindTheLogQueueAreJsonToo() throws Exception {
        // the proxy's logback.xml puts the console behind DroppingAsyncAppender: JSON must reach through it
        ch.qos.logback.classic.LoggerContext context =
                (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        PrintStream before = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console =
                new ch.qos.logback.core.ConsoleAppender<>();
        console.setContext(context);
        ch.qos.logback.classic.encoder.PatternLayoutEncoder text =
                new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("%msg%n");
        text.start();
        console.setEncoder(text);
        console.start();
        DroppingAsyncAppender queue = new DroppingAsyncAppender();
        queue.setContext(context);
        queue.setName("queue-under-test");
        queue.addAppender(console);
        queue.start();
        root.addAppender(queue);
        Runnable undo = LogFormat.apply(new LogSettings(LogSettings.Format.JSON));
        try {
            LoggerFactory.getLogger("queued-json").atInfo().addKeyValue("sid", "q1").log("behind the queue");
        } finally {
            root.detachAppender(queue);
            queue.stop(); // drains the queue into the console
            undo.run();
            System.setOut(before);
        }
        // once from the test configuration's own console, once through the queue: both JSON, no plain "%msg" line
        List<String> ours = buf.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("behind the queue")).toList();
        assertThat(ours).hasSize(2);
        for (String l : ours) {
            JsonNode line = JSON.readTree(l);
            assertThat(line.get("message").asText()).as(l).isEqualTo("behind the queue");
            assertThat(line.get("sid").asText()).isEqualTo("q1");
            assertThat(line.get("logger").asText()).isEqualTo("queued-json");
        }
    }

    /** Runs {@code body} with JSON logging and stdout captured; restores both. */
    private static List<String> captured(Runnable body) {
        PrintStream before = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        Runnable undo = LogFormat.apply(new LogSettings(LogSettings.Format.JSON));
        try {
            body.run();
        } finally {
            undo.run();
            System.setOut(before);
        }
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }
}

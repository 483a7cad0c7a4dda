package io.origincluster.state.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log line: {@code time}, {@code level}, {@code logger}, {@code thread}, {@code message}, then
 * each key=value pair the text format prints at the end of its line ({@code sid}, {@code key}, {@code backend},
 * {@code protocol}, ...) as a top-level key of its own, then {@code error} and {@code stack} for an exception (a
 * few frames, as the text format's {@code %ex{short}}). A pair whose key collides with one of these is written as
 * {@code kv_<key>}; a repeated key keeps its first value. Newlines and quotes in values are escaped, so a line is
 * always one line.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final Set<String> RESERVED = Set.of("time", "level", "logger", "thread", "message", "error",
            "stack");
    private static final int STACK_FRAMES = 8;
    private final JsonFactory json = new JsonFactory();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(e.getTimeStamp()).toString());
            g.writeStringField("level", e.getLevel().toString());
            g.writeStringField("logger", e.getLoggerName());
            g.writeStringField("thread", e.getThreadName());
            g.writeStringField("message", e.getFormattedMessage());
            List<KeyValuePair> pairs = e.getKeyValuePairs();
            if (pairs != null) {
                Set<String> written = new HashSet<>();
                for (KeyValuePair kv : pairs) {
                    String k = RESERVED.contains(kv.key) ? "kv_" + kv.key : kv.key;
                    if (k == null || !written.add(k)) {
                        continue;
                    }
                    g.writeFieldName(k);
                    writeValue(g, kv.value);
                }
            }
            Map<String, String> mdc = e.getMDCPropertyMap();
            if (mdc != null && !mdc.isEmpty()) {
                g.writeObjectFieldStart("mdc");
                for (Map.Entry<String, String> m : mdc.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            IThrowableProxy t = e.getThrowableProxy();
            if (t != null) {
                g.writeStringField("error", t.getClassName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
                g.writeArrayFieldStart("stack");
                StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
                for (int i = 0; frames != null && i < Math.min(STACK_FRAMES, frames.length); i++) {
                    g.writeString(frames[i].getSTEAsString());
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(Double.toString(d));
            }
        } else {
            g.writeString(String.valueOf(v));
        }
    }
}

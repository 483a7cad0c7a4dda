package io.origincluster.dataplane.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to PROXY_* settings: the process environment over a {@code .env} file. As in the Go proxy, an
 * empty value counts as unset. Every getter throws {@link ConfigException} naming the variable. Secrets are
 * remembered so {@link #describe()} can mask them.
 */
public final class Env {

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private final Map<String, String> values;
    private final Map<String, String> used = new java.util.TreeMap<>();
    private final Set<String> secrets = new TreeSet<>();

    public Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The process environment, with {@code .env} in {@code dir} filling variables the environment lacks. */
    public static Env load(Path dir, Map<String, String> processEnv) {
        Map<String, String> merged = new HashMap<>(readDotEnv(dir.resolve(".env")));
        processEnv.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                merged.put(k, v);
            }
        });
        return new Env(merged);
    }

    static Map<String, String> readDotEnv(Path file) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String line = raw.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("export ")) {
                    line = line.substring(7).trim();
                }
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = line.substring(0, eq).trim();
                String value = line.substring(eq + 1).trim();
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                        || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                } else {
                    int hash = value.indexOf(" #");
                    if (hash >= 0) {
                        value = value.substring(0, hash).trim();
                    }
                }
                out.put(key, value);
            }
        } catch (IOException e) {
            throw new ConfigException(".env", "cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    public String string(String name, String def) {
        String v = values.get(name);
        String result = v == null || v.isEmpty() ? def : v;
        used.put(name, result == null ? "" : result);
        return result;
    }

    public String secret(String name) {
        secrets.add(name);
        return string(name, "");
    }

    public int integer(String name, int def, int min, int max) {
        String v = string(name, Integer.toString(def));
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new ConfigException(name, "'" + v + "' is outside " + min + ".." + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "'" + v + "' is not an integer");
        }
    }

    public boolean onOff(String name, boolean def) {
        String v = string(name, def ? "on" : "off").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new ConfigException(name, "'" + v + "' is not on/off");
        };
    }

    /** Go duration syntax ({@code 20s}, {@code 1m30s}, {@code 500ms}) or a bare number of seconds. */
    public Duration duration(String name, String def) {
        String v = string(name, def).trim();
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        Matcher m = GO_DURATION.matcher(v);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new ConfigException(name, "'" + v + "' is not a duration like 20s, 1m30s or 500ms");
            }
            double n = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (n * unit);
            end = m.end();
        }
        if (end != v.length() || end == 0) {
            throw new ConfigException(name, "'" + v + "' is not a duration like 20s, 1m30s or 500ms");
        }
        return Duration.ofNanos(nanos);
    }

    /** {@code PORT} (all interfaces) or {@code IP:PORT}; port 0 asks the OS for a free one (tests). */
    public InetSocketAddress listen(String name, int defPort) {
        String v = string(name, Integer.toString(defPort)).trim();
        String host = null;
        String port = v;
        int colon = v.lastIndexOf(':');
        if (colon >= 0) {
            host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            port = v.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "'" + v + "' is not PORT or IP:PORT");
        }
        if (p < 0 || p > 65535) {
            throw new ConfigException(name, "port " + p + " is out of range");
        }
        return host == null || host.isEmpty() ? new InetSocketAddress(p) : new InetSocketAddress(host, p);
    }

    /** Every setting read so far, secrets masked: one log line at start. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        used.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k).append('=').append(secrets.contains(k) && !v.isEmpty() ? "******" : v);
        });
        return sb.toString();
    }
}

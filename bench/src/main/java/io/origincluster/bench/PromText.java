package io.origincluster.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The few lines of the proxy's Prometheus text the migration scenario reads: one sample per line, summed by filter. */
final class PromText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private PromText() {
    }

    /** Every sample line ({@code name{k="v",...} value [timestamp]}); comments and blank lines skipped. */
    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int brace = l.indexOf('{');
            int space = l.indexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            String rest;
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = l.substring(0, brace);
                int close = labelsEnd(l, brace + 1);
                if (close < 0) {
                    continue;
                }
                parseLabels(l.substring(brace + 1, close), labels);
                rest = l.substring(close + 1).strip();
            } else if (space > 0) {
                name = l.substring(0, space);
                rest = l.substring(space + 1).strip();
            } else {
                continue;
            }
            String value = rest.split("\\s+")[0];
            try {
                out.add(new Sample(name, labels, Double.parseDouble(value)));
            } catch (NumberFormatException e) {
                // "+Inf"/"NaN" parse; anything else is not a sample we need
            }
        }
        return out;
    }

    /** Sum of the samples named {@code name} whose labels pass {@code filter}. */
    static double sum(List<Sample> samples, String name, Predicate<Map<String, String>> filter) {
        return samples.stream().filter(s -> s.name().equals(name) && filter.test(s.labels()))
                .mapToDouble(Sample::value).sum();
    }

    /** Largest value of the samples named {@code name} whose labels pass {@code filter}, or 0. */
    static double max(List<Sample> samples, String name, Predicate<Map<String, String>> filter) {
        return samples.stream().filter(s -> s.name().equals(name) && filter.test(s.labels()))
                .mapToDouble(Sample::value).max().orElse(0);
    }

    private static int labelsEnd(String l, int from) {
        boolean quoted = false;
        for (int i = from; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static void parseLabels(String s, Map<String, String> into) {
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq + 1 >= s.length() || s.charAt(eq + 1) != '"') {
                return;
            }
            String key = s.substring(i, eq).strip();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < s.length() && s.charAt(j) != '"'; j++) {
                char c = s.charAt(j);
                if (c == '\\' && j + 1 < s.length()) {
                    char n = s.charAt(++j);
                    v.append(n == 'n' ? '\n' : n);
                } else {
                    v.append(c);
                }
            }
            into.put(key, v.toString());
            i = j + 1;
            while (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == ' ')) {
                i++;
            }
        }
    }
}

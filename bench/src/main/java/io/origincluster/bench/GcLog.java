package io.origincluster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The pauses in a unified JVM log written with {@code -Xlog:gc:file=...}: every {@code Pause ...} line ends with its
 * duration ({@code GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->6M(256M) 3.123ms}), whichever collector
 * wrote it. Concurrent phases (G1's {@code Concurrent Mark Cycle}) do not stop the relay and are not counted.
 */
final class GcLog {

    private GcLog() {
    }

    record Pauses(int count, double totalMillis, double maxMillis) {
    }

    /** Every line of the file so far, or none when it does not exist (yet). */
    static List<String> lines(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The pauses among {@code lines} from index {@code from} on (a log read earlier had {@code from} lines). */
    static Pauses since(List<String> lines, int from) {
        int count = 0;
        double total = 0;
        double max = 0;
        for (int i = Math.max(0, from); i < lines.size(); i++) {
            double ms = pauseMillis(lines.get(i));
            if (ms >= 0) {
                count++;
                total += ms;
                max = Math.max(max, ms);
            }
        }
        return new Pauses(count, total, max);
    }

    /** The duration of a pause line in milliseconds, or -1 for any other line. */
    static double pauseMillis(String line) {
        if (!line.contains(" Pause ") || !line.endsWith("ms")) {
            return -1;
        }
        int end = line.length() - 2;
        int start = line.lastIndexOf(' ', end) + 1;
        try {
            return Double.parseDouble(line.substring(start, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

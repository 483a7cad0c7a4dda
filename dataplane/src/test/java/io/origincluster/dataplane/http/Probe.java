package io.origincluster.dataplane.http;

import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
import java.util.ArrayList;
import java.util.List;

/** ffprobe with input options the shared helper does not take (a local playlist needs a protocol whitelist). */
final class Probe {
    private Probe() {
    }

    /** Video frames ffprobe decoded from {@code seconds} of {@code url}; the output is returned on failure. */
    static int videoFrames(String url, List<String> inputOptions, int seconds, int timeoutSeconds) {
        Tools.require("ffprobe");
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        cmd.addAll(inputOptions);
        cmd.addAll(List.of("-count_frames", "-read_intervals", "%+" + seconds, "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url));
        try (Proc p = Proc.start("ffprobe-hls", cmd)) {
            int rc = p.waitFor(timeoutSeconds);
            String last = p.output().trim().lines().reduce((a, b) -> b).orElse("").trim();
            if (rc != 0) {
                throw new AssertionError("ffprobe exit " + rc + " for " + url + ": " + p.output());
            }
            try {
                return Integer.parseInt(last.replace(",", ""));
            } catch (NumberFormatException e) {
                throw new AssertionError("ffprobe printed no frame count for " + url + ": " + p.output());
            }
        }
    }
}

package io.origincluster.dataplane.testpeers;

import java.util.ArrayList;
import java.util.List;

/** ffmpeg and ffprobe as real RTMP/HTTP/SRT clients. */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    /** Publishes the test FLV in a loop at real-time speed until closed. */
    public static Proc publishRtmp(String url) {
        Tools.require("ffmpeg");
        return Proc.start("ffmpeg-publish", List.of("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1",
                "-i", TestMedia.flv().toString(), "-c", "copy", "-f", "flv", url));
    }

    /**
     * Reads {@code url} for about {@code seconds} of media and returns the number of video frames ffprobe decoded
     * (0 when nothing could be read). {@code timeoutSeconds} bounds the whole call.
     */
    public static int countVideoFrames(String url, int seconds, int timeoutSeconds) {
        Tools.require("ffprobe");
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error", "-rw_timeout", "5000000"));
        cmd.addAll(List.of("-count_frames", "-read_intervals", "%+" + seconds, "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url));
        try (Proc p = Proc.start("ffprobe", cmd)) {
            int rc = p.waitFor(timeoutSeconds);
            String out = p.output().trim();
            if (rc != 0) {
                return 0;
            }
            String last = out.lines().reduce((a, b) -> b).orElse("").trim();
            try {
                return Integer.parseInt(last.replace(",", ""));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}

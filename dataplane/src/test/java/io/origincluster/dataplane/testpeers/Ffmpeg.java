package io.origincluster.dataplane.testpeers;

import io.origincluster.testkit.Proc;
import io.origincluster.testkit.Tools;
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

    /** Publishes the test FLV (H.264 and AAC) over RTSP with TCP transport, ANNOUNCE/RECORD, until closed. */
    public static Proc publishRtsp(String url) {
        Tools.require("ffmpeg");
        return Proc.start("ffmpeg-publish-rtsp", List.of("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1",
                "-i", TestMedia.flv().toString(), "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url));
    }

    /**
     * Like {@link #countVideoFrames} for an rtsp:// URL; {@code transport} is ffprobe's {@code -rtsp_transport}
     * ({@code tcp}, or {@code udp+tcp}, ffmpeg's choice: UDP first, TCP after a 461).
     */
    public static int countRtspVideoFrames(String url, String transport, int seconds, int timeoutSeconds) {
        return count(List.of("-rtsp_transport", transport), url, seconds, timeoutSeconds);
    }

    /**
     * Reads {@code url} for about {@code seconds} of media and returns the number of video frames ffprobe decoded
     * (0 when nothing could be read). {@code timeoutSeconds} bounds the whole call.
     */
    public static int countVideoFrames(String url, int seconds, int timeoutSeconds) {
        return count(List.of("-rw_timeout", "5000000"), url, seconds, timeoutSeconds);
    }

    private static int count(List<String> options, String url, int seconds, int timeoutSeconds) {
        Tools.require("ffprobe");
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        cmd.addAll(options);
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

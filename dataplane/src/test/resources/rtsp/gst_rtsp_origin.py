#!/usr/bin/python3
"""A real RTSP origin for the tests: GStreamer's gst-rtsp-server (through python3-gi) on one TCP port.

usage: gst_rtsp_origin.py PORT [--play PATH]... [--record PATH]... [--relay PATH]... [--hls HTTP_PORT DIR]
       gst_rtsp_origin.py --check    (exit 1 naming the GStreamer elements that are missing)

--play PATH    serves a live H.264 test pattern (one shared media) at PATH
--record PATH  accepts ANNOUNCE/RECORD at PATH; every decoded video frame is counted and printed as
               "recorded PATH N" (at most every half second), so a test can see a publish arrive
--relay PATH   both at PATH: ANNOUNCE/RECORD takes a publisher's H.264 (counted as for --record), and
               DESCRIBE/PLAY serves exactly those frames, not re-encoded, to players (nothing before the first
               publish), as a live origin serves a published stream
--hls HTTP_PORT DIR   relays also write what is published as HLS (PATH.m3u8 and its .ts segments under DIR),
               served over HTTP on 127.0.0.1:HTTP_PORT, so one publish plays over RTSP and HLS
Prints "ready PORT" once listening. Ends on SIGTERM/SIGINT.
"""
import functools
import http.server
import os
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PLAY = ("( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=300 "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )")
# one depayloader slot per announced stream: video (H.264) and audio (AAC); only video frames are counted
RECORD = ("( decodebin name=depay0 ! videoconvert ! fakesink name=frames sync=false signal-handoffs=true "
          "decodebin name=depay1 ! fakesink sync=false )")
# a relay: the publisher's H.264 access units leave through an appsink, untouched ...
RELAY_IN = ("( rtph264depay name=depay0 ! h264parse config-interval=-1 "
            "! video/x-h264,stream-format=byte-stream,alignment=au ! tee name=t ! queue "
            "! appsink name=frames emit-signals=true sync=false "
            "decodebin name=depay1 ! fakesink sync=false )")
# with --hls the same access units are also cut into an HLS stream (a branch of the record half)
HLS_OUT = ("t. ! queue ! h264parse ! hlssink2 name=hls target-duration=1 max-files=8 playlist-length=4 "
           "location={segments} playlist-location={playlist} ")
# ... and enter every playing media through its appsrc, timestamped on arrival
RELAY_OUT = ("( appsrc name=src is-live=true format=time do-timestamp=true "
             "caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse "
             "! rtph264pay name=pay0 pt=96 config-interval=-1 )")


ELEMENTS = ["videotestsrc", "x264enc", "rtph264pay", "decodebin", "videoconvert", "fakesink", "rtph264depay",
            "avdec_h264", "rtpmp4gdepay", "avdec_aac",
            "appsink", "appsrc", "h264parse", "tee", "queue", "hlssink2", "mpegtsmux"]


def main(argv):
    if argv[1] == "--check":
        Gst.init(None)
        missing = [e for e in ELEMENTS if Gst.ElementFactory.find(e) is None]
        print("missing GStreamer elements:", " ".join(missing) if missing else "none", flush=True)
        return 1 if missing else 0
    port = argv[1]
    paths = {"--play": [], "--record": [], "--relay": []}
    hls = None
    i = 2
    while i < len(argv):
        if argv[i] == "--hls":
            hls = (int(argv[i + 1]), argv[i + 2])
            i += 3
            continue
        paths[argv[i]].append(argv[i + 1])
        i += 2
    play, record, relay = paths["--play"], paths["--record"], paths["--relay"]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    # a thread per connection: a player's DESCRIBE of a relay waits for the publisher's media, which another
    # connection feeds
    pool = GstRtspServer.RTSPThreadPool()
    pool.set_max_threads(16)
    server.set_thread_pool(pool)
    factories = {}
    for path in play:
        factories[path] = play_factory(PLAY)
    counts = {}
    for path in record:
        f = record_factory(RECORD)
        f.connect("media-configure", on_record_media(path, counts))
        factories[path] = f
    for path in relay:
        factories[path] = Relay(path, counts, hls[1] if hls else None)
    if hls:
        serve_http(*hls)
    mounts = server.get_mount_points()
    for path, f in factories.items():
        mounts.add_factory(path, f)
    if server.attach(None) == 0:
        print("cannot listen on", port, flush=True)
        return 1
    print("ready", server.get_bound_port(), flush=True)
    loop = GLib.MainLoop()
    for s in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, s, loop.quit)
    GLib.timeout_add(500, report, counts)
    loop.run()
    return 0


def serve_http(port, root):
    """Serves DIR read-only on 127.0.0.1:PORT from a daemon thread (the HLS half of a relay)."""
    handler = functools.partial(QuietFiles, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_args):
        pass


def play_factory(launch):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(launch)
    f.set_shared(True)
    f.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
    return f


def record_factory(launch):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(launch)
    f.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
    f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    return f


class Relay(GstRtspServer.RTSPMediaFactory):
    """One path that records and plays. gst-rtsp-server mounts one factory per path, and a factory either plays or
    records: while nobody publishes this one records (an ANNOUNCE builds the record half; a DESCRIBE is refused),
    while a publisher records it plays (a DESCRIBE builds a play half; a second ANNOUNCE is refused). Every access
    unit the publisher's media hands out of its appsink goes into each playing media's appsrc, not re-encoded."""

    def __init__(self, path, counts, hls_dir):
        super().__init__()
        self.path = path
        self.hls_dir = hls_dir
        self.counts = counts
        self.sources = []
        self.publishing = False
        self.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
        self.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        self.connect("media-configure", self.configure)

    def do_create_element(self, _url):
        launch = RELAY_OUT if self.publishing else RELAY_IN
        if not self.publishing and self.hls_dir:
            out = os.path.join(self.hls_dir, self.path.strip("/"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            launch = launch[:-1] + HLS_OUT.format(segments=out + "-%05d.ts", playlist=out + ".m3u8") + " )"
        return Gst.parse_launch_full(launch, None, Gst.ParseFlags.PLACE_IN_BIN)

    def configure(self, _factory, media):
        sink = media.get_element().get_by_name("frames")
        if sink is not None:
            self.counts.setdefault(self.path, [0, 0])
            sink.connect("new-sample", self.sample)
            media.connect("unprepared", lambda _m: self.published(False))
        else:
            src = media.get_element().get_by_name("src")
            self.sources.append(src)
            media.connect("unprepared", lambda _m: self.sources.remove(src) if src in self.sources else None)
            # a media that never prepared (its player left first) is never unprepared: drop its appsrc then too
            media.weak_ref(lambda: self.sources.remove(src) if src in self.sources else None)

    def published(self, on):
        self.publishing = on
        self.set_transport_mode(GstRtspServer.RTSPTransportMode.PLAY if on
                                else GstRtspServer.RTSPTransportMode.RECORD)

    def sample(self, sink):
        buf = sink.emit("pull-sample").get_buffer()
        data = buf.extract_dup(0, buf.get_size())
        if not self.publishing:
            self.published(True)  # only now: gst-rtsp-server checks the mode again while answering ANNOUNCE and SETUP
        self.counts[self.path][0] += 1
        for src in list(self.sources):
            src.emit("push-buffer", Gst.Buffer.new_wrapped(data))
        return Gst.FlowReturn.OK


def on_record_media(path, counts):
    def configure(_factory, media):
        sink = media.get_element().get_by_name("frames")
        counts.setdefault(path, [0, 0])

        def handoff(*_args):
            counts[path][0] += 1

        sink.connect("handoff", handoff)
    return configure


def report(counts):
    for path, c in counts.items():
        if c[0] != c[1]:
            c[1] = c[0]
            print("recorded", path, c[0], flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""A real RTSP origin for the tests: GStreamer's gst-rtsp-server (through python3-gi) on one TCP port.

usage: gst_rtsp_origin.py PORT [--play PATH]... [--record PATH]...
       gst_rtsp_origin.py --check    (exit 1 naming the GStreamer elements that are missing)

--play PATH    serves a live H.264 test pattern (one shared media) at PATH
--record PATH  accepts ANNOUNCE/RECORD at PATH; every decoded video frame is counted and printed as
               "recorded PATH N" (at most every half second), so a test can see a publish arrive
Prints "ready PORT" once listening. Ends on SIGTERM/SIGINT.
"""
import signal
import sys

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


ELEMENTS = ["videotestsrc", "x264enc", "rtph264pay", "decodebin", "videoconvert", "fakesink", "rtph264depay",
            "avdec_h264", "rtpmp4gdepay", "avdec_aac"]


def main(argv):
    if argv[1] == "--check":
        Gst.init(None)
        missing = [e for e in ELEMENTS if Gst.ElementFactory.find(e) is None]
        print("missing GStreamer elements:", " ".join(missing) if missing else "none", flush=True)
        return 1 if missing else 0
    port = argv[1]
    play, record = [], []
    i = 2
    while i < len(argv):
        (play if argv[i] == "--play" else record).append(argv[i + 1])
        i += 2
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    mounts = server.get_mount_points()
    for path in play:
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(PLAY)
        f.set_shared(True)
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
        mounts.add_factory(path, f)
    counts = {}
    for path in record:
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(RECORD)
        f.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        f.connect("media-configure", on_record_media(path, counts))
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

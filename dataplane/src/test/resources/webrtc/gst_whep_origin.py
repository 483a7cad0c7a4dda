#!/usr/bin/python3
"""A WHEP origin that sends real media, for the player page tests: GStreamer's webrtcbin (through python3-gi)
answers each WHEP offer with a live VP8 test pattern.

usage: gst_whep_origin.py PORT
       gst_whep_origin.py --check    (exit 1 naming the GStreamer elements that are missing)

POST /rtc/v1/whep/?app=A&stream=S with an SDP offer (application/sdp) answers 201 with the SDP answer (every
ICE candidate gathered, so the answer is complete) and a Location; DELETE on the Location ends that session.
Prints "ready PORT" once listening. Ends on SIGTERM/SIGINT.
"""
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

SOURCE = ("videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
          "! vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 "
          "! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 "
          "! webrtcbin name=rtc bundle-policy=max-bundle")
# webrtcbin makes its ICE transport from libnice's nicesrc/nicesink (gstreamer1.0-nice)
ELEMENTS = ["videotestsrc", "vp8enc", "rtpvp8pay", "webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "rtpbin"]
ANSWER_TIMEOUT_S = 10

sessions = {}
lock = threading.Lock()
counter = [0]


class Session:
    """One WHEP peer: its own pipeline; the answer is produced on the GLib main loop and handed over."""

    def __init__(self, sid, offer_sdp):
        self.sid = sid
        self.offer_sdp = offer_sdp
        self.answer = None
        self.error = None
        self.done = threading.Event()
        self.pipeline = None

    def start(self):
        try:
            self.pipeline = Gst.parse_launch(SOURCE)
            rtc = self.pipeline.get_by_name("rtc")
            rtc.connect("notify::ice-gathering-state", self.on_gathering)
            self.pipeline.set_state(Gst.State.PLAYING)
            _, msg = GstSdp.SDPMessage.new_from_text(self.offer_sdp)
            offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, msg)
            promise = Gst.Promise.new_with_change_func(self.on_remote_set, rtc, None)
            rtc.emit("set-remote-description", offer, promise)
        except Exception as e:  # noqa: BLE001 - reported to the HTTP client
            self.fail(str(e))
        return False

    def on_remote_set(self, promise, rtc, _):
        promise = Gst.Promise.new_with_change_func(self.on_answer, rtc, None)
        rtc.emit("create-answer", None, promise)

    def on_answer(self, promise, rtc, _):
        reply = promise.get_reply()
        answer = reply.get_value("answer") if reply is not None else None
        if answer is None:
            self.fail("webrtcbin made no answer: " + (reply.to_string() if reply is not None else "no reply"))
            return
        rtc.emit("set-local-description", answer, Gst.Promise.new())
        self.rtc = rtc

    def on_gathering(self, rtc, _):
        if rtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE \
                and not self.done.is_set():
            self.answer = rtc.get_property("local-description").sdp.as_text()
            self.done.set()

    def fail(self, why):
        self.error = why
        self.done.set()

    def stop(self):
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
        return False


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        if not self.path.startswith("/rtc/v1/whep/"):
            return self.reply(404, "text/plain", "no WHEP endpoint at " + self.path)
        length = int(self.headers.get("Content-Length", "0"))
        if length <= 0 or length > 65536:
            return self.reply(400, "text/plain", "an SDP offer is needed")
        offer = self.rfile.read(length).decode("utf-8")
        with lock:
            counter[0] += 1
            sid = str(counter[0])
            s = Session(sid, offer)
            sessions[sid] = s
        GLib.idle_add(s.start)
        if not s.done.wait(ANSWER_TIMEOUT_S) or s.error is not None:
            GLib.idle_add(s.stop)
            return self.reply(500, "text/plain", s.error or "no answer in time")
        self.reply(201, "application/sdp", s.answer, {"Location": "/rtc/v1/whep/?action=delete&session=" + sid})

    def do_DELETE(self):  # noqa: N802
        sid = self.path.rsplit("session=", 1)[-1]
        with lock:
            s = sessions.pop(sid, None)
        if s is None:
            return self.reply(404, "text/plain", "no session " + sid)
        GLib.idle_add(s.stop)
        self.reply(200, "text/plain", "")

    def do_PATCH(self):  # noqa: N802 - trickle ICE: everything is in the offer already
        self.reply(204, "text/plain", "")

    def reply(self, status, ctype, body, headers=None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main(argv):
    Gst.init(None)
    if argv[1] == "--check":
        missing = [e for e in ELEMENTS if Gst.ElementFactory.find(e) is None]
        print("missing GStreamer elements:", " ".join(missing) if missing else "none", flush=True)
        return 1 if missing else 0
    port = int(argv[1])
    loop = GLib.MainLoop()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("ready %d" % port, flush=True)
    loop.run()
    server.shutdown()
    for s in list(sessions.values()):
        s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

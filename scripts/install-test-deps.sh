#!/usr/bin/env bash
# Installs the real peers the tests run against, when missing: ffmpeg/ffprobe, nginx with the RTMP module,
# srt-tools (srt-live-transmit), redis-server, redis-cli (redis-tools: joins the Redis Cluster tests' nodes), curl
# (TLS tests), GStreamer's RTSP server with python3-gi and the plugins its test origin uses (RTSP tests), GStreamer's
# webrtcbin (the WHEP test origin), and Chromium with its chromedriver (console and player page tests, headless).
# Debian packages only; needs root (or sudo). Safe to rerun.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || need+=(libnginx-mod-rtmp)
command -v srt-live-transmit >/dev/null 2>&1 || need+=(srt-tools)
# curl verifies the proxy's test certificate in the TLS tests (HTTPS FLV and HLS)
command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || [ -x /usr/bin/redis-cli ] || need+=(redis-tools)
# the RTSP origin (dataplane/src/test/resources/rtsp/gst_rtsp_origin.py) runs on Debian's own python3
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' >/dev/null 2>&1 \
  || need+=(python3-gi gir1.2-gst-rtsp-server-1.0)
gst_plugin() { compgen -G "/usr/lib/*/gstreamer-1.0/$1" >/dev/null; }
gst_plugin libgstvideotestsrc.so || need+=(gstreamer1.0-plugins-base)
gst_plugin libgstrtp.so || need+=(gstreamer1.0-plugins-good)
gst_plugin libgstx264.so || need+=(gstreamer1.0-plugins-ugly)
gst_plugin libgstlibav.so || need+=(gstreamer1.0-libav)
# the relay origin: h264parse, and hlssink2 with mpegtsmux for its HLS
gst_plugin libgsthls.so && gst_plugin libgstvideoparsersbad.so || need+=(gstreamer1.0-plugins-bad)
# the WHEP origin of the player page tests (dataplane/src/test/resources/webrtc/gst_whep_origin.py): webrtcbin,
# its Python bindings, libnice's ICE elements and the VP8 encoder
/usr/bin/python3 -c 'import gi; gi.require_version("GstWebRTC", "1.0")' >/dev/null 2>&1 \
  || need+=(gir1.2-gst-plugins-bad-1.0)
gst_plugin libgstwebrtc.so || need+=(gstreamer1.0-plugins-bad)
gst_plugin libgstnice.so || need+=(gstreamer1.0-nice)
gst_plugin libgstvpx.so || need+=(gstreamer1.0-plugins-good)
# the web console and player page tests drive headless Chromium through chromedriver (same Debian source, so the
# two versions always match)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if [ ${#need[@]} -eq 0 ]; then
  echo "test peers: all present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo -n"
fi
echo "test peers: installing ${need[*]}"
# Keep package scripts from starting nginx/redis services: the tests start their own on free loopback ports, and a
# packaged daemon would hold port 80/6379 for nothing. policy-rc.d answering 101 means "action forbidden".
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
echo "test peers: installed"

// Shared by the player pages: where the proxy's listeners are, and a status line the tests can read too.
'use strict';

/** The page's query parameters. */
function pageParams() {
  return new URLSearchParams(location.search);
}

/** The HTTP API port (WHIP/WHEP), as the proxy serving this page reports it; SRS's 1985 when it cannot say. */
async function httpApiPort() {
  try {
    const r = await fetch('proxy.json', { cache: 'no-store' });
    if (r.ok) {
      return (await r.json()).httpApiPort;
    }
  } catch (e) {
    // served from another server (PROXY_STATIC_FILES or a file): fall through
  }
  return 1985;
}

/** A WHIP or WHEP URL for app/stream on this page's host, at the proxy's HTTP API port. */
async function defaultRtcUrl(kind) {
  const q = pageParams();
  const app = q.get('app') || 'live';
  const stream = q.get('stream') || 'livestream';
  const port = await httpApiPort();
  return location.protocol + '//' + location.hostname + ':' + port + '/rtc/v1/' + kind + '/?app='
      + encodeURIComponent(app) + '&stream=' + encodeURIComponent(stream);
}

function showStatus(text) {
  document.getElementById('status').textContent = text;
}

/** POSTs an SDP offer to a WHIP/WHEP endpoint and returns the answer; throws with the server's reason. */
async function exchangeSdp(url, offerSdp) {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offerSdp });
  const text = await r.text();
  if (r.status !== 201 && r.status !== 200) {
    throw new Error('HTTP ' + r.status + ': ' + text.trim());
  }
  return text;
}

/** Packets sent or received so far over RTP, summed over the connection's streams. */
async function rtpPackets(pc, type) {
  const stats = await pc.getStats();
  let packets = 0;
  stats.forEach(s => {
    if (s.type === type) {
      packets += (type === 'outbound-rtp' ? s.packetsSent : s.packetsReceived) || 0;
    }
  });
  return packets;
}

// The origin-cluster console: reads the system API every few seconds and renders origins and live streams.
// Data from origins (stream names, ids) is only ever set as text, never as HTML.
'use strict';

const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh')) || 3000;
const HISTORY = 60;                 // bitrate samples kept per stream for its chart
const history = new Map();          // stream key -> [kbps in+out], only for streams still live
const proxyBefore = new Map();      // stream key -> this proxy's byte counts at the previous refresh
let token = sessionStorage.getItem('origincluster.token') || '';

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) {
    e.textContent = String(text);
  }
  if (cls) {
    e.className = cls;
  }
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  cells.forEach(c => {
    const td = c instanceof Node ? wrap(c) : el('td', c === null || c === undefined ? '-' : c);
    tr.appendChild(td);
  });
  return tr;
}

function wrap(node) {
  if (node.tagName === 'TD') {
    return node;
  }
  const td = document.createElement('td');
  td.appendChild(node);
  return td;
}

function showMessage(text, ok) {
  const m = document.getElementById('message');
  m.hidden = !text;
  m.textContent = text || '';
  m.className = ok ? 'message ok' : 'message';
}

function authHeaders() {
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function getJson(path) {
  // with PROXY_SYSTEM_API_READ_TOKEN the reads need the token too
  const r = await fetch(path, { cache: 'no-store', headers: authHeaders() });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

function kbps(k) {
  return k ? k.in + ' / ' + k.out : '-';
}

async function drain(id, on) {
  const r = await fetch('/api/v1/origins/' + encodeURIComponent(id) + '/drain',
      { method: on ? 'POST' : 'DELETE', headers: authHeaders() });
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) {
    showMessage((on ? 'drain' : 'undrain') + ' refused: this proxy needs its API token (enter it above)');
  } else if (r.status !== 200) {
    showMessage((on ? 'drain' : 'undrain') + ' of ' + id + ' failed: ' + (body.error || 'HTTP ' + r.status));
  } else {
    showMessage(on ? id + ' is draining: its ' + body.sessions + ' session(s) here are moving'
        : id + ' takes new streams again', true);
  }
  refresh();
}

async function unpin(key) {
  const path = key.split('/').map(encodeURIComponent).join('/');
  const r = await fetch('/api/v1/streams/' + path, { method: 'DELETE', headers: authHeaders() });
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) {
    showMessage('unpin refused: this proxy needs its API token (enter it above)');
  } else if (r.status !== 200) {
    showMessage('unpin of ' + key + ' failed: ' + (body.error || 'HTTP ' + r.status));
  } else {
    showMessage(key + ' is no longer pinned to ' + body.unpinned + ': its next session is placed anew', true);
  }
  refresh();
}

function renderOrigins(origins, summaries) {
  const byId = new Map((summaries || []).map(s => [s.id, s]));
  const tbody = document.querySelector('#origins tbody');
  tbody.replaceChildren();
  origins.forEach(o => {
    const s = byId.get(o.id) || {};
    const sum = s.summary || {};
    const state = !o.alive ? 'dead' : o.draining ? 'draining' : 'alive';
    const button = el('button', o.draining ? 'Undrain' : 'Drain');
    button.dataset.origin = o.id;
    button.dataset.action = o.draining ? 'undrain' : 'drain';
    button.onclick = () => drain(o.id, !o.draining);
    const tr = row([el('td', o.id, 'key'), el('span', state, 'state ' + state), o.source, o.sessions,
        o.pinnedStreams, s.status ? s.status + (s.error ? ': ' + s.error : '') : '-',
        sum.cpuPercent, sum.connections, sum.streams, kbps(sum.kbps), button]);
    tr.dataset.origin = o.id;
    tr.dataset.state = state;
    tbody.appendChild(tr);
  });
  document.getElementById('origin-count').textContent = '(' + origins.length + ')';
}

function codecs(s) {
  if (!s.video && !s.audio) {
    return '-';
  }
  const v = s.video ? s.video.codec + (s.video.width ? ' ' + s.video.width + 'x' + s.video.height : '') : '-';
  const a = s.audio ? s.audio.codec : '-';
  return v + ' / ' + a;
}

function spark(values) {
  const c = el('canvas', null, 'spark');
  c.width = 160;
  c.height = 28;
  const g = c.getContext('2d');
  // scaled to the samples' own range, so a change shows; the hover title gives the figures
  const max = Math.max(1, ...values);
  const min = Math.min(...values) * 0.9;
  g.strokeStyle = '#2f6fde';
  g.lineWidth = 1.5;
  g.beginPath();
  // the newest sample at the right edge; a short history fills its share of the width from the right
  const step = (c.width - 2) / (HISTORY - 1);
  const left = c.width - 1 - (values.length - 1) * step;
  values.forEach((v, i) => {
    const x = left + i * step;
    const y = c.height - 2 - ((v - min) / Math.max(1, max - min)) * (c.height - 4);
    if (i === 0) {
      g.moveTo(x, y);
    } else {
      g.lineTo(x, y);
    }
  });
  g.stroke();
  c.title = 'now ' + values[values.length - 1] + ' kbps, max ' + max + ' kbps';
  return c;
}

/**
 * This proxy's own view per stream (GET /api/v1/proxy/streams, with PROXY_METRICS_PER_STREAM=on): sessions by
 * protocol and the bitrate it relays, from the byte counts' change since the previous refresh.
 */
function proxyView(body) {
  const now = Date.now();
  const view = new Map();
  (body.streams || []).forEach(p => {
    const before = proxyBefore.get(p.key);
    let rate = null;
    if (before && now > before.t) {
      const seconds = (now - before.t) / 1000;
      rate = { in: Math.round((p.bytes.fromClients - before.in) * 8 / seconds / 1000),
        out: Math.round((p.bytes.toClients - before.out) * 8 / seconds / 1000) };
    }
    proxyBefore.set(p.key, { t: now, in: p.bytes.fromClients, out: p.bytes.toClients });
    view.set(p.key, Object.assign({ rate }, p));
  });
  [...proxyBefore.keys()].filter(k => !view.has(k)).forEach(k => proxyBefore.delete(k));
  return view;
}

function here(p) {
  if (!p) {
    return '-';
  }
  const protocols = Object.entries(p.protocols).map(([name, n]) => name + ' ' + n).join(', ');
  return protocols + ' (' + p.publishers + ' publishing, ' + p.players + ' playing)';
}

function renderStreams(streams, proxy) {
  const live = new Set();
  const tbody = document.querySelector('#streams tbody');
  tbody.replaceChildren();
  streams.forEach(s => {
    const id = s.origin + ' ' + s.key;
    live.add(id);
    const p = proxy.get(s.key);
    // an origin without API reports nothing: this proxy's own figures stand in
    const rate = s.kbps || (p && p.rate);
    const viewers = s.clients !== null && s.clients !== undefined ? s.clients : p ? p.players + ' here' : null;
    const h = history.get(id) || [];
    if (rate) {
      h.push(rate.in + rate.out); // the proxy's own rate needs two readings: no sample before the second
    }
    if (h.length > HISTORY) {
      h.shift();
    }
    history.set(id, h);
    const publisher = s.publisher === null ? (p ? (p.publishers > 0 ? 'yes (here)' : 'no') : '-')
        : s.publisher ? 'yes' : 'no';
    let action = '';
    if (s.pinnedTo) {
      action = el('button', 'Unpin');
      action.title = 'forget the pin: live sessions stay, the next one is placed anew';
      action.onclick = () => unpin(s.key);
    }
    const tr = row([el('td', s.key, 'key'), s.origin, s.pinnedTo, publisher, viewers, here(p), codecs(s),
        kbps(rate) + (s.kbps || !rate ? '' : ' (here)'), rate ? spark(h) : '-', action]);
    tr.dataset.key = s.key;
    tbody.appendChild(tr);
  });
  // the chart history never outlives its stream
  [...history.keys()].filter(k => !live.has(k)).forEach(k => history.delete(k));
  document.getElementById('stream-count').textContent = '(' + streams.length + ')';
}

function renderErrors(errors) {
  const ul = document.getElementById('errors');
  ul.replaceChildren(...errors.map(e => el('li', e.origin + ' (' + (e.api || 'no API') + '): ' + e.error)));
  document.getElementById('errors-section').hidden = errors.length === 0;
}

async function refresh() {
  try {
    const [origins, summaries, streams, proxy] = await Promise.all([getJson('/api/v1/origins'),
      getJson('/api/v1/cluster/summaries'), getJson('/api/v1/cluster/streams'), getJson('/api/v1/proxy/streams')]);
    if (origins.status !== 200) {
      throw new Error('/api/v1/origins: ' + (origins.body.error || 'HTTP ' + origins.status));
    }
    const clusterReady = summaries.status === 200 && streams.status === 200;
    renderOrigins(origins.body.origins, clusterReady ? summaries.body.origins : []);
    if (clusterReady) {
      renderStreams(streams.body.streams, proxyView(proxy.status === 200 ? proxy.body : {}));
      renderErrors(streams.body.errors);
      document.getElementById('freshness').textContent = 'cluster poll ' + (streams.body.ageMs / 1000).toFixed(1)
          + ' s old, took ' + streams.body.pollMs + ' ms';
    } else {
      document.getElementById('freshness').textContent = 'waiting for the first cluster poll';
    }
    document.body.dataset.refreshed = String(Date.now());
  } catch (e) {
    showMessage('cannot read the system API: ' + e.message);
  }
}

function init() {
  const input = document.getElementById('token');
  input.value = token;
  document.getElementById('token-form').onsubmit = e => {
    e.preventDefault();
    token = input.value.trim();
    sessionStorage.setItem('origincluster.token', token);
    showMessage(token ? 'token set for this tab' : '', true);
  };
  document.getElementById('token-forget').onclick = () => {
    token = '';
    input.value = '';
    sessionStorage.removeItem('origincluster.token');
  };
  getJson('/api/v1/versions').then(v => {
    document.getElementById('version').textContent = v.body.version ? 'v' + v.body.version : '';
  }).catch(() => {});
  refresh();
  setInterval(refresh, REFRESH_MS);
}

init();

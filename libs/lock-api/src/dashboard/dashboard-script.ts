/**
 * The dashboard's script, served by the node (no CDN, no build step). It listens to the
 * node's event stream, which pushes a fresh view when something changed, and only
 * ticks the held-for and TTL-left clocks locally.
 */
export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';
  var PAGE_SIZE = 50;
  var state = { page: 0, filter: '', view: null, offsetMs: 0, source: null };
  var $ = function (id) { return document.getElementById(id); };

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function short(id) { return id.length > 13 ? id.slice(0, 8) + '…' : id; }
  function dash(v) { return v === null || v === undefined ? '–' : v; }
  function duration(ms) {
    if (ms < 0) ms = 0;
    if (ms < 1000) return Math.round(ms) + ' ms';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + Math.floor(s % 60) + 's';
    return Math.floor(m / 60) + 'h ' + (m % 60) + 'm';
  }
  function clock(ms) { return new Date(ms).toTimeString().slice(0, 8); }
  function now() { return Date.now() + state.offsetMs; }

  function connect() {
    if (state.source) state.source.close();
    var url = '/dashboard/events?page=' + state.page + '&size=' + PAGE_SIZE +
      '&filter=' + encodeURIComponent(state.filter);
    var source = new EventSource(url);
    state.source = source;
    source.onopen = function () { setLive(true); };
    source.onerror = function () { setLive(false); };
    source.onmessage = function (message) {
      var view = JSON.parse(message.data);
      state.offsetMs = view.serverNowMs - Date.now();
      state.view = view;
      render(view);
    };
  }
  function setLive(live) {
    $('conn').className = live ? 'conn live' : 'conn';
    $('conn-text').textContent = live ? 'live' : 'reconnecting';
  }

  function render(view) {
    var node = view.node;
    $('node').textContent = node.id + ' · ' + node.role;
    $('node').className = 'pill ' + node.role;
    $('term').textContent = node.term;
    $('leader').textContent = dash(node.leaderId);
    $('commit').textContent = node.commitIndex;
    $('applied').textContent = node.appliedIndex;
    $('peer-auth').hidden = node.peerAuthentication !== 'none';
    $('held').textContent = view.counts.held;
    $('waiting').textContent = view.counts.waiters;
    $('sessions').textContent = view.counts.sessions;
    renderMembers(view.members, node.id);
    renderLocks(view.locks);
    renderFeed(view.feed);
    renderBusiest(view.busiest);
  }

  function renderMembers(members, self) {
    $('members').tBodies[0].innerHTML = members.map(function (m) {
      return '<tr data-member="' + esc(m.id) + '" class="' + (m.reachable ? '' : 'unreachable') + '">' +
        '<td><b>' + esc(m.id) + '</b>' + (m.id === self ? ' <span class="dim">(this node)</span>' : '') + '</td>' +
        '<td><span class="pill ' + esc(m.role) + '">' + esc(m.reachable ? m.role : 'unreachable') + '</span></td>' +
        '<td class="num">' + dash(m.term) + '</td><td class="num">' + dash(m.commitIndex) + '</td>' +
        '<td class="num">' + dash(m.appliedIndex) + '</td><td class="num">' + dash(m.lag) + '</td>' +
        '<td><a href="http://' + esc(m.httpAddress) + '/">' + esc(m.httpAddress) + '</a></td></tr>';
    }).join('');
  }

  function renderLocks(locks) {
    var from = locks.total === 0 ? 0 : locks.offset + 1;
    var to = locks.offset + locks.items.length;
    $('range').textContent = from + '–' + to + ' of ' + locks.total.toLocaleString();
    $('prev').disabled = state.page === 0;
    $('next').disabled = to >= locks.total;
    var body = $('locks').tBodies[0];
    if (locks.items.length === 0) {
      body.innerHTML = '<tr><td colspan="6" class="empty">' +
        (state.filter ? 'No held lock matches.' : 'No lock is held.') + '</td></tr>';
      return;
    }
    body.innerHTML = locks.items.map(function (lock) {
      var waiters = lock.waiters.map(function (w, i) {
        return '<span class="chip" data-waiter="' + esc(w.clientId) + '" title="' + esc(w.clientId) +
          ', waiting since ' + clock(w.queuedAtMs) + '"><i>' + (i + 1) + '</i>' + esc(short(w.clientId)) + '</span>';
      }).join('') + (lock.waiterCount > lock.waiters.length
        ? '<span class="dim">+' + (lock.waiterCount - lock.waiters.length) + ' more</span>' : '');
      return '<tr data-lock="' + esc(lock.name) + '">' +
        '<td class="name">' + esc(lock.name) + '</td>' +
        '<td class="mono" data-owner="' + esc(lock.owner) + '" title="' + esc(lock.owner) + '">' + esc(short(lock.owner)) + '</td>' +
        '<td class="num mono token" data-token="' + lock.fencingToken + '">' + lock.fencingToken + '</td>' +
        '<td class="num" data-held-since="' + lock.grantedAtMs + '"></td>' +
        '<td class="num" data-expires="' + dash(lock.expiresAtMs) + '"></td>' +
        '<td class="waiters">' + (waiters || '<span class="dim">none</span>') + '</td></tr>';
    }).join('');
    tick();
  }

  function renderFeed(feed) {
    $('feed').innerHTML = feed.length === 0 ? '<li class="empty">Nothing yet.</li>' : feed.map(function (e) {
      return '<li data-event="' + esc(e.type) + '"><span class="t">' + clock(e.atMs) + '</span>' +
        '<span class="ev ' + esc(e.type) + '">' + esc(e.type) + '</span>' +
        '<span class="n"><span class="name">' + esc(e.name) + '</span> <span class="mono dim" title="' + esc(e.owner) + '">' +
        esc(short(e.owner)) + '</span></span><span class="mono token">#' + e.fencingToken + '</span></li>';
    }).join('');
  }

  function renderBusiest(rows) {
    $('busiest').tBodies[0].innerHTML = rows.length === 0
      ? '<tr><td colspan="6" class="empty">No lock has been granted yet.</td></tr>'
      : rows.map(function (s) {
        return '<tr><td class="name">' + esc(s.name) + '</td><td class="num">' + s.grants + '</td>' +
          '<td class="num">' + (s.holds ? duration(s.holdMsTotal / s.holds) : '–') + '</td>' +
          '<td class="num">' + (s.holds ? duration(s.holdMsMax) : '–') + '</td>' +
          '<td class="num">' + (s.waits ? duration(s.waitMsTotal / s.waits) : '–') + '</td>' +
          '<td class="num">' + (s.waits ? duration(s.waitMsMax) : '–') + '</td></tr>';
      }).join('');
  }

  /** Held-for and TTL-left move every second without asking the node. */
  function tick() {
    var t = now();
    var held = document.querySelectorAll('[data-held-since]');
    for (var i = 0; i < held.length; i++) held[i].textContent = duration(t - Number(held[i].dataset.heldSince));
    var ttl = document.querySelectorAll('[data-expires]');
    for (var j = 0; j < ttl.length; j++) {
      var at = ttl[j].dataset.expires;
      if (at === '–') { ttl[j].textContent = '–'; continue; }
      var left = Number(at) - t;
      ttl[j].textContent = duration(left);
      ttl[j].className = 'num' + (left < 5000 ? ' ttl-low' : '');
    }
  }

  $('prev').onclick = function () { if (state.page > 0) { state.page--; connect(); } };
  $('next').onclick = function () { state.page++; connect(); };
  var typing = null;
  $('filter').oninput = function () {
    clearTimeout(typing);
    typing = setTimeout(function () { state.filter = $('filter').value.trim(); state.page = 0; connect(); }, 250);
  };
  setInterval(tick, 1000);
  connect();
})();
`;

// Live attendance for the board and the projector.
//
// The page starts from the board it was rendered with (or a snapshot over HTTP) and then
// applies the small changes the server sends: each check-in is [version, unit, category,
// online, +1], several per message when they come in a burst. Every version is applied
// once; a version that stays missing (a lost message) or a reconnect makes the page fetch
// one snapshot (with If-None-Match, so an unchanged board costs a 304) and re-apply the
// changes newer than it. While the socket is down, the snapshot is polled. The "live"
// stream (mode, livestream, announcements) has its own version: a check-in never makes
// the page refetch the announcements, nor the reverse.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var boardEl = document.getElementById("board");
  var live = document.getElementById("live");
  var liveVersion = 0;
  var base = boardEl ? parseInt(boardEl.dataset.version, 10) || 0 : 0;  // all applied up to here
  var ahead = {};        // version → change, applied, above base (a hole below them)
  var state = null;      // counters, from the first snapshot
  var etag = null;
  var gapTimer = null;
  var GAP_WAIT = 1500;   // another process's burst arrives well within this

  function text(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }

  function fromBoard(b) {
    var s = { present: b.present, expected: b.expected, online: b.online || 0, units: {}, cats: {} };
    b.units.forEach(function (u) { s.units[u.unit_id] = { present: u.present, seats: u.seats }; });
    Object.keys(b.by_category || {}).forEach(function (c) {
      s.cats[c] = { present: b.by_category[c].present, expected: b.by_category[c].expected };
    });
    return s;
  }
  function fromPage() {  // the numbers the server rendered, without a request
    var num = function (id) { return parseInt((document.getElementById(id) || {}).textContent, 10) || 0; };
    var s = { present: num("present"), expected: num("expected"), online: 0, units: {}, cats: {} };
    document.querySelectorAll("tr[data-unit]").forEach(function (row) {
      var bar = row.querySelector("progress");
      s.units[row.dataset.unit] = { present: parseInt(row.querySelector(".present").textContent, 10) || 0,
                                    seats: bar ? parseInt(bar.max, 10) : 0 };
    });
    document.querySelectorAll("[data-category]").forEach(function (el) {
      s.cats[el.dataset.category] = { present: parseInt(el.dataset.present, 10) || 0,
                                      expected: parseInt(el.dataset.expected, 10) || 0 };
    });
    return s;
  }

  function render(unitIds) {
    text("present", state.present);
    if (state.expected) text("expected", state.expected);
    (unitIds || Object.keys(state.units)).forEach(function (id) {
      var row = document.querySelector('tr[data-unit="' + id + '"]');
      var u = state.units[id];
      if (!row || !u) return;
      row.querySelector(".present").textContent = u.present;
      var bar = row.querySelector("progress");
      if (bar) { bar.max = Math.max(u.seats, 1); bar.value = u.present; }
    });
    document.querySelectorAll("[data-category]").forEach(function (el) {
      var c = state.cats[el.dataset.category];
      if (c) el.querySelector(".n").textContent = c.present + "/" + c.expected;
    });
  }

  function apply(change) {  // [version, unit_id, category, online, delta]
    var d = change[4];
    if (change[2] === null) return;  // someone the board does not count
    state.present += d;
    if (change[3]) state.online += d;
    var c = state.cats[change[2]];
    if (c) c.present += d;
    var u = change[1] !== null ? state.units[change[1]] : null;
    if (u) u.present += d;
  }

  function advance() {
    while (ahead[base + 1]) { delete ahead[base + 1]; base += 1; }
    var holes = Object.keys(ahead).length > 0;
    if (holes && !gapTimer) {
      gapTimer = setTimeout(function () { gapTimer = null; if (Object.keys(ahead).length) snapshot(); }, GAP_WAIT);
    } else if (!holes && gapTimer) { clearTimeout(gapTimer); gapTimer = null; }
  }

  function useSnapshot(b) {
    if (b.version < base) return;  // older than what we hold: a slow answer
    state = fromBoard(b);
    base = b.version;
    Object.keys(ahead).forEach(function (v) {  // newer than the snapshot: apply again
      if (+v <= base) delete ahead[v]; else apply(ahead[v]);
    });
    advance();
    render();
  }

  function snapshot() {
    var headers = etag ? { "If-None-Match": etag } : {};
    return fetch(cfg.snapshot, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (r) {
        if (r.status === 304 || !r.ok) return null;
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (b) { if (b) useSnapshot(b); })
      .catch(function () {});
  }

  function arrivals(list) {
    var ul = document.getElementById("arrivals");
    if (!ul || !list || !list.length) return;
    var empty = ul.querySelector(".empty");
    if (empty) empty.remove();
    list.slice().reverse().forEach(function (a) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(a.clock + " — "));
      var name = document.createElement("strong");
      name.textContent = a.name;
      li.appendChild(name);
      var more = document.createElement("span");
      more.className = "muted";
      more.textContent = " " + (a.unit || "") + (a.gate ? " · " + a.gate : "");
      li.appendChild(more);
      ul.insertBefore(li, ul.firstChild);
    });
    while (ul.children.length > 20) ul.removeChild(ul.lastChild);
  }

  function onMessage(msg) {
    if (msg.board) { useSnapshot(msg.board); return; }  // an undo or a new expected person
    if (!state) state = fromPage();
    var touched = [];
    (msg.changes || []).forEach(function (ch) {
      var v = ch[0];
      if (v <= base || ahead[v]) return;  // already counted
      apply(ch);
      ahead[v] = ch;
      if (ch[1] !== null) touched.push(String(ch[1]));
    });
    advance();
    render(touched);
    arrivals(msg.arrivals);
  }

  function renderLive(msg) {  // a full state: the newest wins, no gap to fill
    if (!msg || msg.version < liveVersion) return;
    liveVersion = msg.version;
    var notice = document.getElementById("notice");
    if (!notice || !msg.live) return;
    notice.hidden = !msg.live.announcement;
    if (msg.live.announcement) notice.textContent = msg.live.announcement.text;
  }
  function liveSnapshot() {
    if (!cfg.live) return;
    fetch(cfg.live, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; }).then(renderLive).catch(function () {});
  }

  var polling = setInterval(snapshot, 5000);
  if (!window.io) return;
  // Reconnect with a randomized, growing delay: a hall's screens must not all come back
  // in the same instant after the server restarts.
  var socket = window.io({ tryAllTransports: true, reconnectionDelay: 1000,
                           reconnectionDelayMax: 10000, randomizationFactor: 0.5 });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) {
        if (live) live.className = "pill online";
        clearInterval(polling); polling = null;
        var latest = reply.versions || {};
        if (!state || latest.attendance === undefined || latest.attendance !== base) snapshot();
        if (latest.live === undefined || latest.live > liveVersion) liveSnapshot();
      }
    });
  });
  socket.on("disconnect", function () {
    if (live) live.className = "pill offline";
    if (!polling) polling = setInterval(snapshot, 5000);
  });
  socket.on("live", renderLive);
  socket.on("attendance", onMessage);
})();

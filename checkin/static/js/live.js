// Live attendance for the board, the projector and the attendance screen.
//
// The page starts from the board it was rendered with (or a snapshot over HTTP) and then
// applies the small changes the server sends: each check-in is [version, unit, category,
// online, +1], several per message when they come in a burst. Every version is applied
// once; a version that stays missing (a lost message) or a reconnect makes the page fetch
// one snapshot (with If-None-Match, so an unchanged board costs a 304) and re-apply the
// changes newer than it. While the socket is down, the snapshot is polled. The "live"
// stream (mode, livestream, announcements) has its own version: a check-in never makes
// the page refetch the announcements, nor the reverse. Text is set with textContent; the
// board's undo form is cloned from a server-rendered <template>.
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
    document.querySelectorAll("#categories [data-cat]").forEach(function (el) {
      s.cats[el.dataset.cat] = { present: parseInt(el.querySelector(".p").textContent, 10) || 0,
                                 expected: parseInt(el.querySelector(".e").textContent, 10) || 0 };
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
    var missing = false;
    Object.keys(state.cats).forEach(function (c) {
      var span = document.querySelector('#categories [data-cat="' + c + '"]');
      if (!span) { missing = true; return; }
      span.querySelector(".p").textContent = state.cats[c].present;
      span.querySelector(".e").textContent = state.cats[c].expected;
    });
    if (missing && document.getElementById("categories")) reloadParts();
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
    if (state) reloadParts();
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

  var tz = cfg.tz ? { timeZone: cfg.tz } : {};
  function clock(iso) {
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, tz)).format(iso ? new Date(iso) : new Date());
    } catch (e) { return ""; }
  }
  // The board's newest arrivals: lines cloned from the page's <template> (with the undo
  // form aimed at the person), newest first.
  function addArrival(a) {  // {id, name, unit, clock, gate}
    var list = document.getElementById("arrivals"), tpl = document.getElementById("arrival-template");
    if (!list || !tpl || !a || list.querySelector('li[data-attendee="' + a.id + '"]')) return;
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.attendee = a.id;
    li.querySelector(".t").textContent = a.clock;
    li.querySelector(".n").textContent = a.name;
    li.querySelector(".u").textContent = [a.unit, a.gate].filter(Boolean).join(" · ");
    var form = li.querySelector("form");
    if (form) form.setAttribute("action", form.getAttribute("action").replace(/\/0\/undo$/, "/" + a.id + "/undo"));
    var empty = list.querySelector(".empty"); if (empty) empty.remove();
    list.insertBefore(li, list.firstChild);
    while (list.children.length > (cfg.arrivals || 20)) list.removeChild(list.lastChild);
  }
  function arrivals(list) {
    (list || []).slice().reverse().forEach(addArrival);
  }
  function undone(checkin) {  // a whole-board message about an undo
    var list = document.getElementById("arrivals");
    if (!list || !checkin || checkin.result !== "undone" || !checkin.attendee) return;
    var old = list.querySelector('li[data-attendee="' + checkin.attendee.id + '"]');
    if (old) old.remove();
  }
  // After a gap: the parts a snapshot does not carry (arrivals, new categories), from the
  // page itself (server-escaped HTML, parsed — never innerHTML).
  var reloading = null;
  function reloadParts() {
    if (!cfg.page || reloading) return;
    reloading = fetch(cfg.page, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["arrivals", "categories"].forEach(function (id) {
          var fresh = doc.getElementById(id), now = document.getElementById(id);
          if (fresh && now) now.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(function () {})
      .finally(function () { reloading = null; });
  }

  function onMessage(msg) {
    if (msg.board) {  // an undo or a new expected person: the whole board
      useSnapshot(msg.board);
      undone(msg.checkin);
      if (msg.checkin && msg.checkin.result === "checked_in" && msg.checkin.attendee) {
        var first = msg.checkin.first_checkin || {};
        addArrival({ id: msg.checkin.attendee.id, name: msg.checkin.attendee.full_name,
                     unit: msg.checkin.attendee.unit, gate: first.gate, clock: clock(first.at) });
      }
      return;
    }
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
  socket.on("dialogue", function (s) { if (s) renderLive({ live: s.live, version: s.live_version }); });
  socket.on("attendance", onMessage);
  // Every few seconds (and when the message queue comes back) the server says where each
  // stream is: a page that missed a message catches up on that stream only. A change may
  // still be on its way (bursts are coalesced): give it GAP_WAIT before fetching.
  socket.on("heartbeat", function (hb) {
    var v = (hb && hb.versions) || {};
    if (v.attendance > base) setTimeout(function () { if (v.attendance > base) snapshot(); }, GAP_WAIT);
    if (v.live > liveVersion) liveSnapshot();
  });
  socket.on("reload", function () { location.reload(); });  // the database was restored
})();

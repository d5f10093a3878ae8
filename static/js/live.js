// Live attendance for the board and the attendance screen: Socket.IO when it can connect,
// a snapshot over HTTP on (re)connect, on a version gap, and every few seconds while the
// socket is down. Each message is applied in place: the totals, the per-category line,
// the units, and (on the board) the newest arrivals — text set with textContent, the undo
// form cloned from a server-rendered <template>.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var boardEl = document.getElementById("board");
  var version = parseInt(boardEl && boardEl.dataset.version, 10) || 0;
  var live = document.getElementById("live");
  var $ = function (id) { return document.getElementById(id); };

  function render(board) {
    if (!board || board.version < version) return;  // an older snapshot arrived late
    version = board.version;
    $("present").textContent = board.present;
    $("expected").textContent = board.expected;
    (board.units || []).forEach(function (u) {
      var row = document.querySelector('tr[data-unit="' + u.unit_id + '"]');
      if (!row) return;
      row.querySelector(".present").textContent = u.present;
      var bar = row.querySelector("progress");
      if (bar) { bar.max = Math.max(u.seats, 1); bar.value = u.present; }
    });
    var cats = $("categories"), missing = false;
    if (cats && board.by_category) {
      Object.keys(board.by_category).forEach(function (c) {
        var span = cats.querySelector('[data-cat="' + c + '"]');
        if (!span) { missing = true; return; }
        span.querySelector(".p").textContent = board.by_category[c].present;
        span.querySelector(".e").textContent = board.by_category[c].expected;
      });
    }
    if (missing) reloadParts();
  }

  // The board's arrivals list, from the check-in in the message.
  var tz = cfg.tz ? { timeZone: cfg.tz } : {};
  function clock(iso) {
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, tz)).format(new Date(iso));
    } catch (e) { return ""; }
  }
  function arrival(checkin) {
    var list = $("arrivals"), tpl = $("arrival-template");
    if (!list || !tpl || !checkin || !checkin.attendee) return;
    var id = checkin.attendee.id;
    var old = list.querySelector('li[data-attendee="' + id + '"]');
    if (checkin.result === "undone") { if (old) old.remove(); return; }
    if (checkin.result !== "checked_in" || old) return;
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.attendee = id;
    var first = checkin.first_checkin || {};
    li.querySelector(".t").textContent = clock(first.at || new Date().toISOString());
    li.querySelector(".n").textContent = checkin.attendee.full_name;
    li.querySelector(".u").textContent = [checkin.attendee.unit, first.gate].filter(Boolean).join(" · ");
    var form = li.querySelector("form");
    form.setAttribute("action", form.getAttribute("action").replace(/\/0\/undo$/, "/" + id + "/undo"));
    var empty = list.querySelector(".empty"); if (empty) empty.remove();
    list.insertBefore(li, list.firstChild);
    while (list.children.length > (cfg.arrivals || 20)) list.removeChild(list.lastChild);
  }
  // After a gap: the parts a snapshot does not carry, from the page itself (server-escaped
  // HTML, parsed — never innerHTML).
  var reloading = null;
  function reloadParts() {
    if (!cfg.page || reloading) return;
    reloading = fetch(cfg.page, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["arrivals", "categories"].forEach(function (id) {
          var fresh = doc.getElementById(id), now = $(id);
          if (fresh && now) now.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(function () {})
      .finally(function () { reloading = null; });
  }
  function snapshot() {
    reloadParts();
    return fetch(cfg.snapshot, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b) render(b.board || b); })
      .catch(function () {});
  }
  var polling = setInterval(snapshot, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) {
        if (live) live.className = "pill online";
        clearInterval(polling); polling = null;
        snapshot();
      }
    });
  });
  socket.on("disconnect", function () {
    if (live) live.className = "pill offline";
    if (!polling) polling = setInterval(snapshot, 5000);
  });
  // The "live" stream (mode, announcements) has its own version: a check-in never makes
  // the page refetch the announcement, nor the reverse.
  var liveVersion = 0;
  function renderLive(liveState, v) {
    var notice = $("notice");
    if (!liveState || v < liveVersion) return;
    liveVersion = v;
    if (!notice) return;
    notice.hidden = !liveState.announcement;
    if (liveState.announcement) notice.textContent = liveState.announcement.text;
  }
  function liveSnapshot() {
    if (!cfg.live) return;
    fetch(cfg.live, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) { if (m) renderLive(m.live, m.version); })
      .catch(function () {});
  }
  socket.on("live", function (m) { renderLive(m.live, m.version); });
  socket.on("dialogue", function (s) { renderLive(s.live, s.live_version); });
  // Every few seconds (and when the message queue comes back) the server says where each
  // stream is: a page that missed a message catches up on that stream only.
  socket.on("heartbeat", function (hb) {
    if (hb.versions.attendance > version) snapshot();
    if (hb.versions.live > liveVersion) liveSnapshot();
  });
  socket.on("reload", function () { location.reload(); });  // the database was restored
  socket.on("attendance", function (msg) {
    if (!msg || msg.version <= version) return;
    if (msg.version > version + 1 || !msg.board) { snapshot(); return; }
    render(msg.board);
    arrival(msg.checkin);
  });
})();

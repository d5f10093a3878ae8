// Live attendance for the board and the projector: Socket.IO when it can connect,
// a snapshot over HTTP on (re)connect, on a version gap, and every few seconds
// while the socket is down. Each stream keeps its own version: a check-in never
// makes the page refetch the announcements, nor the reverse.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var board0 = document.getElementById("board");
  var versions = { attendance: board0 ? parseInt(board0.dataset.version, 10) || 0 : 0, live: 0 };
  var live = document.getElementById("live");

  function render(board) {
    if (board.version < versions.attendance) return;  // an older snapshot arrived late
    versions.attendance = board.version;
    document.getElementById("present").textContent = board.present;
    document.getElementById("expected").textContent = board.expected;
    board.units.forEach(function (u) {
      var row = document.querySelector('tr[data-unit="' + u.unit_id + '"]');
      if (!row) return;
      row.querySelector(".present").textContent = u.present;
      var bar = row.querySelector("progress");
      if (bar) { bar.max = Math.max(u.seats, 1); bar.value = u.present; }
    });
  }
  function renderLive(msg) {
    if (!msg || msg.version < versions.live) return;
    versions.live = msg.version;
    var notice = document.getElementById("notice");
    if (!notice || !msg.live) return;
    notice.hidden = !msg.live.announcement;
    if (msg.live.announcement) notice.textContent = msg.live.announcement.text;
  }
  function get(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; });
  }
  var snapshots = {
    attendance: function () { return get(cfg.snapshot).then(function (b) { if (b) render(b); }).catch(function () {}); },
    live: function () { return cfg.live ? get(cfg.live).then(renderLive).catch(function () {}) : Promise.resolve(); }
  };
  function resync(latest) {  // versions the server says are current (on watch)
    Object.keys(snapshots).forEach(function (stream) {
      if (!latest || latest[stream] === undefined || latest[stream] > versions[stream]) snapshots[stream]();
    });
  }
  var polling = setInterval(snapshots.attendance, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) {
        if (live) live.className = "pill online";
        clearInterval(polling); polling = null;
        resync(null);
      }
    });
  });
  socket.on("disconnect", function () {
    if (live) live.className = "pill offline";
    if (!polling) polling = setInterval(snapshots.attendance, 5000);
  });
  socket.on("live", renderLive);
  socket.on("reload", function () { location.reload(); });  // the database was restored
  // Every few seconds (and when the message queue comes back) the server says where
  // each stream is: a page that missed a message catches up on that stream only.
  socket.on("heartbeat", function (hb) { resync(hb.versions); });  // a full state: the newest wins, no gap to fill
  socket.on("attendance", function (msg) {
    if (msg.version <= versions.attendance) return;
    if (msg.version > versions.attendance + 1) { snapshots.attendance(); return; }
    render(msg.board);
  });
})();

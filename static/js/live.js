// Live attendance for the board and the projector: Socket.IO when it can connect,
// a snapshot over HTTP on (re)connect, on a version gap, and every few seconds
// while the socket is down.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var version = parseInt((document.getElementById("board") || {}).dataset ? document.getElementById("board").dataset.version : "0", 10) || 0;
  var live = document.getElementById("live");

  function render(board) {
    version = board.version;
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
  function snapshot() {
    return fetch(cfg.snapshot, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b) render(b); })
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
  socket.on("dialogue", function (s) {
    var notice = document.getElementById("notice");
    if (!notice || !s.live) return;
    notice.hidden = !s.live.announcement;
    if (s.live.announcement) notice.textContent = s.live.announcement.text;
  });
  socket.on("attendance", function (msg) {
    if (msg.version > version + 1) { snapshot(); return; }
    render(msg.board);
  });
})();

// The dialogue screen: no interaction. Each message's public state is applied in place
// (text set with textContent, never HTML); the question being answered stays while a
// delegate has the floor; the speaker's countdown runs, an overrun shown and capped.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("stage-config").textContent);
  var T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var body = $("stage-body");
  var version = parseInt(body.dataset.version, 10) || 0;
  // The chair's zoom (from the console), kept by this screen across reloads.
  var ZOOM_KEY = "checkin-stage-zoom-" + cfg.event;
  var kept = parseInt(localStorage.getItem(ZOOM_KEY), 10);
  if (kept) body.style.setProperty("--zoom", kept / 100);

  function text(id, value) { var el = $(id); if (el.textContent !== value) el.textContent = value; }
  function apply(s) {
    if (!s || s.version === undefined) return;
    if (s.version < version) return;
    version = s.version;
    var live = s.live || {};
    $("stage-announcement").hidden = !live.announcement;
    text("stage-announcement", live.announcement ? live.announcement.text : "");
    $("stage-mode").hidden = !live.mode || live.mode === "in_person";
    text("stage-mode", cfg.modes[live.mode] || "");
    if (s.agenda_item) text("stage-item", s.agenda_item.title);
    var a = s.answering;
    text("now-label", a ? T.answering : T.idle);
    text("stage-question", a ? a.text : T.empty);
    $("stage-question").classList.toggle("muted", !a);
    text("stage-who", a ? [a.name, a.unit, a.topic].filter(Boolean).join(" · ") : "");
    var sp = s.speaker;
    $("stage-speaker").hidden = !sp;
    text("speaker-name", sp ? sp.name : "");
    text("speaker-who", sp ? sp.unit + (sp.topic ? " — " + sp.topic : "") : "");
    var cd = $("stage-countdown");
    cd.dataset.started = sp && sp.started_at ? sp.started_at : "";
    cd.dataset.seconds = sp ? sp.seconds : 0;
    var ol = $("stage-queue"), items = (s.queue || []).slice(0, 4);
    $("queue-label").hidden = !items.length;
    while (ol.firstChild) ol.removeChild(ol.firstChild);
    items.forEach(function (q) {
      var li = document.createElement("li"), span = document.createElement("span"), small = document.createElement("small");
      span.textContent = q.text;
      small.textContent = q.unit + " · " + T.support + " " + q.votes;
      li.appendChild(span); li.appendChild(document.createTextNode(" ")); li.appendChild(small);
      ol.appendChild(li);
    });
    tick();
    fit();
  }
  // The question fills the height it has: the largest size (at least 44 px) that fits.
  function fit() {
    var now = document.querySelector(".stage-now"), q = $("stage-question");
    var zoom = parseFloat(getComputedStyle(body).getPropertyValue("--zoom")) || 1;
    var lo = 44, hi = Math.round(Math.min(window.innerHeight / 7, 150) * zoom);
    q.style.fontSize = hi + "px";
    while (hi - lo > 2) {
      var mid = Math.round((lo + hi) / 2);
      q.style.fontSize = mid + "px";
      if (now.scrollHeight > now.clientHeight + 1) hi = mid; else lo = mid;
    }
    q.style.fontSize = lo + "px";
  }
  window.addEventListener("resize", fit);
  fit();
  function tick() {
    var el = $("stage-countdown");
    if (!el.dataset.started) { el.textContent = ""; return; }
    var left = Math.round(parseInt(el.dataset.seconds, 10) - (Date.now() - Date.parse(el.dataset.started)) / 1000);
    var over = left < 0, s = Math.min(Math.abs(left), 599);
    el.textContent = (over ? "+" : "") + Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2) +
      (over ? " " + T.over : "");
    el.classList.toggle("over", over);
  }
  function snapshot() {
    return fetch(cfg.state, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; }).then(apply).catch(function () {});
  }
  setInterval(tick, 1000); tick();
  var polling = setInterval(snapshot, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) { clearInterval(polling); polling = null; snapshot(); }
    });
  });
  socket.on("disconnect", function () { if (!polling) polling = setInterval(snapshot, 5000); });
  socket.on("dialogue", function (s) { apply(s && s.state ? s.state : s); });
  // The mode and announcements (the "live" stream) show here too; a heartbeat says where
  // each stream is, so a change missed while the message queue was away is fetched.
  var liveVersion = parseInt(body.dataset.liveVersion, 10) || 0;
  socket.on("live", function (m) { if (m && m.version > liveVersion) { liveVersion = m.version; snapshot(); } });
  socket.on("heartbeat", function (hb) {
    if (hb.versions.dialogue > version || hb.versions.live > liveVersion) {
      liveVersion = Math.max(liveVersion, hb.versions.live);
      snapshot();
    }
  });
  socket.on("reload", function () { location.reload(); });  // the database was restored
  socket.on("stage", function (m) {
    if (!m || !m.zoom) return;
    localStorage.setItem(ZOOM_KEY, m.zoom);
    body.style.setProperty("--zoom", m.zoom / 100);
    fit();
  });
})();

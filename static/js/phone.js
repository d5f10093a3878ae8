// The dialogue on a delegate's phone: live over Socket.IO, snapshots over HTTP when the
// socket is down, and sends that survive a dropped connection (a client-made nonce,
// kept until the server acknowledges it; a retry returns the first result).
(function () {
  "use strict";
  var el = document.getElementById("phone-config");
  if (!el) return;
  var cfg = JSON.parse(el.textContent);
  var T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var voted = {};
  (cfg.voted || []).forEach(function (id) { voted[id] = true; });
  // Versions of the two streams the phone shows: a gap in one refetches only that one.
  var versions = { dialogue: 0, live: 0 };

  function text(node, value) { node.textContent = value == null ? "" : value; }
  function nonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  var playing = null;
  function applyLive(live, version) {
    if (!live || version < versions.live) return;
    versions.live = version;
    renderLive(live);
  }
  function renderLive(live) {
    var note = $("announcement");
    note.hidden = !live.announcement;
    if (live.announcement) text(note, live.announcement.text);
    $("stream").hidden = live.mode === "in_person";
    var p = live.player, key = p ? p.kind + " " + p.embed : null;
    if (key === playing) return;
    playing = key;
    var box = $("player");
    box.replaceChildren();
    $("open-app").hidden = !p;
    if (!p) return;
    $("open-app-link").setAttribute("href", p.url);
    if (p.kind === "hls") {
      var video = document.createElement("video");
      video.controls = true; video.playsInline = true; video.title = T.livestream;
      box.append(video);
      if (video.canPlayType("application/vnd.apple.mpegurl")) video.src = p.embed;
      else if (window.Hls && window.Hls.isSupported()) { var hls = new window.Hls(); hls.loadSource(p.embed); hls.attachMedia(video); }
    } else {
      var frame = document.createElement("iframe");
      frame.setAttribute("src", p.embed);
      frame.setAttribute("title", T.livestream);
      frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
      frame.allowFullscreen = true;
      box.append(frame);
    }
  }
  var existing = document.querySelector("#player video[data-hls]");
  if (existing) {
    playing = "hls " + existing.dataset.hls;
    if (existing.canPlayType("application/vnd.apple.mpegurl")) existing.src = existing.dataset.hls;
    else if (window.Hls && window.Hls.isSupported()) { var h = new window.Hls(); h.loadSource(existing.dataset.hls); h.attachMedia(existing); }
  } else {
    var frame0 = document.querySelector("#player iframe");
    if (frame0) playing = (frame0.src.indexOf("youtube") >= 0 ? "youtube " : "facebook ") + frame0.getAttribute("src");
  }

  function renderState(s) {
    if (!s || s.version < versions.dialogue) return;
    versions.dialogue = s.version;
    applyLive(s.live, s.live_version);
    var now = $("now-item");
    now.replaceChildren();
    if (s.agenda_item) {
      now.append(T.now + ": ");
      var b = document.createElement("strong"); text(b, s.agenda_item.title); now.append(b);
    }
    $("answering").hidden = !s.answering;
    if (s.answering) { text($("answering-text"), s.answering.text); text($("answering-who"), [s.answering.name, s.answering.unit].filter(Boolean).join(" · ")); }
    $("speaker").hidden = !s.speaker;
    if (s.speaker) text($("speaker-name"), s.speaker.name + " · " + s.speaker.unit);
    var timer = $("speaker-time");
    timer.dataset.started = s.speaker && s.speaker.started_at ? s.speaker.started_at : "";
    timer.dataset.seconds = s.speaker ? s.speaker.seconds : 0;
    timer.dataset.id = s.speaker ? s.speaker.id : "";
    tick();
    var list = $("queue-list");
    list.replaceChildren();
    if (!s.queue.length) { var li = document.createElement("li"); li.className = "empty"; text(li, T.empty_queue); list.append(li); }
    s.queue.forEach(function (q) {
      var li = document.createElement("li"); li.dataset.id = q.id;
      var span = document.createElement("span"); span.className = "q-text"; text(span, q.text);
      var who = document.createElement("small"); who.className = "muted"; text(who, [q.name, q.unit].filter(Boolean).join(" · "));
      var btn = document.createElement("button"); btn.type = "button";
      btn.className = "button small vote" + (voted[q.id] ? " voted" : "");
      btn.setAttribute("aria-pressed", voted[q.id] ? "true" : "false");
      btn.append(T.support + " · ");
      var n = document.createElement("span"); n.className = "votes"; text(n, q.votes); btn.append(n);
      btn.addEventListener("click", function () { vote(q.id, !voted[q.id]); });
      li.append(span, " ", who, " ", btn);
      list.append(li);
    });
    $("ask-box").hidden = !s.questions_open;
    $("closed-note").hidden = s.questions_open;
  }
  function renderMine(m) {
    if (!m) return;
    var list = $("mine-list");
    list.replaceChildren();
    if (!m.questions.length) { var li = document.createElement("li"); li.className = "empty"; text(li, T.none_mine); list.append(li); }
    m.questions.forEach(function (q) {
      var li = document.createElement("li");
      var span = document.createElement("span"); span.className = "q-text"; text(span, q.text);
      var st = document.createElement("strong"); text(st, q.status_label);
      li.append(span, " — ", st);
      [q.reject_reason, q.answer ? T.answer + ": " + q.answer : ""].forEach(function (extra) {
        if (!extra) return;
        var small = document.createElement("small"); text(small, extra);
        li.append(document.createElement("br"), small);
      });
      list.append(li);
    });
    voted = {}; (m.voted || []).forEach(function (id) { voted[id] = true; });
    if ($("floor-ask")) {
      $("floor-ask").hidden = !!m.floor;
      $("floor-waiting").hidden = !m.floor;
      if (m.floor) text($("floor-status"), m.floor.status === "speaking" ? T.speaking : T.waiting);
      myFloor = m.floor && m.floor.status === "speaking" ? m.floor.id : null;
      tick();
      var room = $("room-link");
      if (room) { room.hidden = !(m.floor && m.floor.room); if (m.floor && m.floor.room) room.setAttribute("href", m.floor.room); }
    }
  }
  var snapshot = function () { return Promise.resolve(); };  // defined below

  // The speaker's time: on the "now speaking" box for everyone, and for the speaker
  // themselves next to their request.
  var myFloor = cfg.my_floor || null;
  function tick() {
    var timer = $("speaker-time"), box = $("my-time-box");
    var left = null;
    if (timer.dataset.started) {
      left = Math.round(parseInt(timer.dataset.seconds, 10) - (Date.now() - Date.parse(timer.dataset.started)) / 1000);
      var over = left < 0, s = Math.min(Math.abs(left), 599);
      text(timer, (over ? "+" : "") + Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2) + (over ? " " + T.over : ""));
      timer.classList.toggle("over", over);
    } else text(timer, "");
    if (box) {
      var mine = myFloor !== null && String(myFloor) === timer.dataset.id && left !== null;
      box.hidden = !mine;
      if (mine) text($("my-time"), timer.textContent);
    }
  }
  setInterval(tick, 1000); tick();

  function send(form, extra) {
    var data = new FormData(form);
    Object.keys(extra || {}).forEach(function (k) { data.set(k, extra[k]); });
    return fetch(form.action, { method: "POST", credentials: "same-origin", body: data,
                                headers: { "X-CSRFToken": cfg.csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json(); });
  }

  // Asking: the nonce is stored with the draft until the server answers, so a retry after
  // a dropped connection (even after a reload) cannot create a second question.
  var ask = $("ask-form");
  var PENDING = "checkin-pending-" + cfg.token;
  function trySend(pending) {
    return send(ask, { text: pending.text, kind: pending.kind, topic_id: pending.topic_id || "",
                       show_name: pending.show_name ? "1" : "", nonce: pending.nonce })
      .then(function (d) {
        localStorage.removeItem(PENDING);
        if (d.ok) { ask.reset(); renderMine(d.mine); flash(T.sent, "success"); }
        else flash(d.message, "error");
      }, function () { flash(T.retry, "error"); setTimeout(function () { trySend(pending); }, 3000); });
  }
  if (ask) {
    ask.addEventListener("submit", function (e) {
      e.preventDefault();
      var pending = { nonce: nonce(), text: ask.text.value, kind: ask.kind.value,
                      topic_id: ask.topic_id ? ask.topic_id.value : "", show_name: ask.show_name.checked };
      localStorage.setItem(PENDING, JSON.stringify(pending));
      trySend(pending);
    });
    var left = localStorage.getItem(PENDING);
    if (left) trySend(JSON.parse(left));
  }
  function vote(id, support) {
    var form = document.createElement("form");
    form.action = cfg.vote.replace(/\/0$/, "/" + id);
    send(form, { support: support ? "1" : "0", csrf_token: cfg.csrf }).then(function (d) {
      if (d.ok) { if (support) voted[id] = true; else delete voted[id]; snapshot(); }
      else flash(d.message, "error");
    });
  }
  document.querySelectorAll(".vote-form").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var id = parseInt(f.closest("li").dataset.id, 10);
      vote(id, !voted[id]);
    });
  });
  var floor = $("floor-form");
  if (floor) {
    floor.addEventListener("submit", function (e) {
      e.preventDefault();
      var extra = { nonce: nonce() };
      if (e.submitter && e.submitter.name === "cancel") extra.cancel = "1";
      send(floor, extra).then(function (d) { if (d.ok) renderMine(d.mine); else flash(d.message, "error"); });
    });
  }
  function flash(message, kind) {
    var box = document.createElement("div");
    box.className = "flash flash-" + kind; box.setAttribute("role", kind === "error" ? "alert" : "status");
    text(box, message);
    var main = document.querySelector("main");
    main.insertBefore(box, main.firstChild);
    setTimeout(function () { box.remove(); }, 6000);
  }

  // Joining online, and telling the server the page is still open.
  var online = cfg.online;
  var join = $("join-form");
  if (join) {
    join.addEventListener("submit", function (e) {
      e.preventDefault();
      send(join).then(function (d) {
        if (!d.ok) { flash(d.message, "error"); return; }
        join.hidden = true;
        online = d.method === "online";
        $("joined").hidden = !online;
        location.hash = "#dialogue";
        snapshot().then(function () { if (!$("ask-form")) location.reload(); });
      });
    });
  }
  setInterval(function () {
    if (online && document.visibilityState === "visible")
      fetch(cfg.seen, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cfg.csrf } }).catch(function () {});
  }, 60000);

  // Snapshots: conditional requests, answered 304 while nothing changed.
  var etag = null;
  snapshot = function () {
    var headers = etag ? { "If-None-Match": etag } : {};
    return fetch(cfg.state, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (r) {
        if (r.status === 304 || !r.ok) return null;
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (d) { if (d) { renderState(d.state); renderMine(d.mine); } })
      .catch(function () {});
  };
  var liveSnapshot = function () {
    return fetch(cfg.live, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) { if (m) applyLive(m.live, m.version); })
      .catch(function () {});
  };
  var polling = setInterval(snapshot, 4000);
  var paused = setTimeout(function () { $("paused").hidden = false; }, 6000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("follow", { token: cfg.token }, function (reply) {
      if (reply && reply.ok) {
        clearTimeout(paused); $("paused").hidden = true;
        clearInterval(polling); polling = null;
        renderState(reply.state); renderMine(reply.mine);
      }
    });
  });
  socket.on("disconnect", function () {
    $("paused").hidden = false;
    if (!polling) polling = setInterval(snapshot, 4000);
  });
  socket.on("dialogue", function (s) { if (s.version > versions.dialogue + 1) snapshot(); else renderState(s); });
  // The heartbeat: where each stream is now. Missed a message (the message queue was
  // away, a reconnect)? Fetch the stream that is behind, only that one.
  socket.on("heartbeat", function (hb) {
    if (hb.versions.dialogue > versions.dialogue) snapshot();
    if (hb.versions.live > versions.live) liveSnapshot();
  });
  socket.on("live", function (m) { if (m.version > versions.live + 1) liveSnapshot(); else applyLive(m.live, m.version); });
  socket.on("mine", renderMine);
  socket.on("reload", function () { location.reload(); });  // the database was restored
})();

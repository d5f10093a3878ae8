// The gate page: camera scanning (jsQR), a keyboard-wedge scanner taken whatever has the
// focus, search by name, arrival counts, undo of the last check-in, and a queue in
// IndexedDB that keeps every scan until the server has it.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gate-config").textContent);
  var T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var DB_NAME = "checkin-gate-" + cfg.event;

  // ---- the persistent queue (IndexedDB) -------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () {
      req.result.createObjectStore("queue", { keyPath: "nonce" });
      req.result.createObjectStore("list", { keyPath: "h" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function store(name, mode) {
    return dbPromise.then(function (db) { return db.transaction(name, mode).objectStore(name); });
  }
  function idb(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function queuePut(item) { return store("queue", "readwrite").then(function (s) { return idb(s.put(item)); }); }
  function queueDelete(nonce) { return store("queue", "readwrite").then(function (s) { return idb(s.delete(nonce)); }); }
  function queueAll() { return store("queue", "readonly").then(function (s) { return idb(s.getAll()); }); }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- the offline copy of the list ------------------------------------------
  function tokenOf(text) {
    text = (text || "").trim();
    var i = text.lastIndexOf("/i/");
    if (i >= 0) text = text.slice(i + 3);
    return text.split("?")[0].split("#")[0].replace(/\/$/, "");
  }
  function sha256(text) {
    if (!(window.crypto && crypto.subtle)) return Promise.resolve(null);
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }
  // Every request carries the tablet's own clock: the server measures the offset and
  // dates scans sent late from the queue by it (an online scan takes the server's time).
  function clockHeader(headers) {
    headers = headers || {};
    headers["X-Gate-Clock"] = new Date().toISOString();
    return headers;
  }
  function syncList() {
    return fetch(cfg.list, { credentials: "same-origin", headers: clockHeader() }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      return store("list", "readwrite").then(function (s) {
        s.clear();
        data.attendees.forEach(function (a) { s.put(a); });
      });
    }).catch(function () { /* keep the copy we have */ });
  }
  function localLookup(token) {
    return sha256(token).then(function (h) {
      if (!h) return null;
      return store("list", "readwrite").then(function (s) {
        return idb(s.get(h)).then(function (entry) {
          if (entry && !entry.in) { entry.in = true; s.put(entry); return { entry: entry, first: true }; }
          return entry ? { entry: entry, first: false } : null;
        });
      });
    });
  }

  // ---- talking to the server ---------------------------------------------------
  var online = navigator.onLine;
  // Why the last send failed: "offline" (no answer), "busy" or "unavailable" (503: the
  // server asks to come back later), "cannot_save" (503: its disk or database refuses
  // writes). In every case the scan stays in the queue until the server has it.
  function setOnline(value, trouble) {
    online = value;
    var net = $("net");
    var why = value ? "online" : (trouble === "cannot_save" ? "cannot_save" : trouble === "busy" || trouble === "unavailable" ? "busy" : "offline");
    net.textContent = T[why];
    net.className = "pill " + (value ? "online" : why === "offline" ? "offline" : "offline trouble-" + why);
  }
  var retryAt = 0;  // Date.now() before which the queue is not resent (Retry-After)
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: clockHeader({ "Content-Type": "application/json", "X-CSRFToken": cfg.csrf }),
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status >= 500) {
        var error = new Error("server " + r.status);
        error.trouble = "offline";
        if (r.status === 503) {
          retryAt = Date.now() + 1000 * (parseInt(r.headers.get("Retry-After"), 10) || 5);
          return r.json().catch(function () { return {}; }).then(function (d) {
            error.trouble = d.error || "busy";
            throw error;
          });
        }
        throw error;
      }
      return r.json().then(function (data) { data._status = r.status; return data; });
    });
  }
  function updateQueueCount() {
    return queueAll().then(function (items) {
      var q = $("queue");
      q.hidden = items.length === 0;
      q.textContent = items.length + " " + T.queued;
      return items;
    });
  }
  var flushing = false;
  function flush() {
    if (flushing || Date.now() < retryAt) return Promise.resolve();
    flushing = true;
    return queueAll().then(function (items) {
      items.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      return items.reduce(function (p, item) {
        return p.then(function () {
          // From the queue: late, so the server weighs the gate's time of the scan.
          var late = Object.assign({}, item, { queued: true });
          return post(cfg.checkin, late).then(function () {
            setOnline(true);
            return queueDelete(item.nonce);
          });
        });
      }, Promise.resolve());
    }).catch(function (e) { setOnline(false, e && e.trouble); })
      .then(function () { flushing = false; return updateQueueCount(); });
  }

  // ---- showing the answer ------------------------------------------------------
  var audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = kind === "ok" ? [[880, 0.12]] : kind === "warn" ? [[660, 0.1], [660, 0.1]] : [[220, 0.35]];
      var t = audio.currentTime;
      tones.forEach(function (tone) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = tone[0]; o.connect(g); g.connect(audio.destination);
        g.gain.value = 0.2; o.start(t); o.stop(t + tone[1]); t += tone[1] + 0.06;
      });
    } catch (e) { /* no sound on this device */ }
  }
  var hideTimer = null;
  function show(kind, title, name, detail) {
    var box = $("result");
    box.className = "result result-" + kind;
    $("result-title").textContent = title;
    $("result-name").textContent = name || "";
    $("result-detail").textContent = detail || "";
    box.hidden = false;
    beep(kind);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { box.hidden = true; focusScanner(); }, kind === "ok" ? 1800 : 3500);
    focusScanner();
  }
  $("result").addEventListener("click", function () { $("result").hidden = true; focusScanner(); });
  function showServer(data) {
    var who = data.attendee;
    var kind = data.result === "checked_in" ? "ok" : data.result === "already_checked_in" ? "warn" : "bad";
    var detail = who ? [who.position, who.unit, T.categories[who.category]].filter(Boolean).join(" · ") : "";
    if (data.result !== "checked_in") detail = data.message + (detail ? " — " + detail : "");
    show(kind, T[data.result] || data.result, who ? who.full_name : "", detail);
    if (data.result === "checked_in" && who) remember(who);
    refreshCounts();
  }

  // ---- arrivals: the meeting and this gate -----------------------------------------
  var countsTimer = null;
  function setCounts(c) {
    if (!c) return;
    $("count-present").textContent = c.present;
    $("count-expected").textContent = c.expected;
    if ($("count-gate") && c.gate !== null && c.gate !== undefined) $("count-gate").textContent = c.gate;
  }
  function refreshCounts() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(function () {
      fetch(cfg.counts + (cfg.gate ? "?gate=" + encodeURIComponent(cfg.gate) : ""), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; }).then(setCounts).catch(function () {});
    }, 300);
  }

  // ---- undo the last check-in made here, for a few minutes ---------------------------
  var lastPerson = null, lastTimer = null;
  function remember(who) {
    lastPerson = who;
    $("last-name").textContent = who.full_name;
    $("last").hidden = false;
    clearTimeout(lastTimer);
    lastTimer = setTimeout(function () { $("last").hidden = true; lastPerson = null; }, cfg.undoMinutes * 60000 - 5000);
  }
  $("undo-last").addEventListener("click", function () {
    if (!lastPerson) return;
    var who = lastPerson, body = new FormData();
    body.append("attendee_id", who.id);
    if (cfg.gate) body.append("gate", cfg.gate);
    fetch(cfg.undo, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cfg.csrf, "Accept": "application/json" }, body: body })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.ok) {
          $("last").hidden = true; lastPerson = null;
          show("warn", T.undone, who.full_name, "");
          setCounts(d.counts);
        } else show("bad", T.undo_failed, who.full_name, d.message || "");
      }, function () { setOnline(false); focusScanner(); });
  });

  // ---- a scan --------------------------------------------------------------------
  var recent = {};
  function handle(text) {
    var token = tokenOf(text);
    if (!token) return;
    var now = Date.now();
    if (recent[token] && now - recent[token] < 4000) return;  // the camera sees it again
    recent[token] = now;
    var item = { token: text.trim(), nonce: newNonce(), scanned_at: new Date().toISOString() };
    if (cfg.gate) item.gate = cfg.gate;
    queuePut(item).then(function () {
      return post(cfg.checkin, item).then(function (data) {
        setOnline(true);
        showServer(data);
        return queueDelete(item.nonce);
      }, function (e) {
        var trouble = e && e.trouble;
        setOnline(false, trouble);
        return localLookup(token).then(function (found) {
          if (found && found.first) {
            item.offline = true;
            queuePut(item);
            show("ok", T.offline_ok, found.entry.n, [trouble === "cannot_save" ? T.cannot_save : "", found.entry.u, T.categories[found.entry.c]].filter(Boolean).join(" · "));
          } else if (found) {
            show("warn", T.offline_seen, found.entry.n, found.entry.u);
          } else {
            show("warn", T.offline_unknown, "", "");
          }
        });
      });
    }).then(updateQueueCount);
  }

  // ---- keyboard-wedge scanners and pasted links --------------------------------
  var input = $("scanner-input");
  // Focus goes back to the scanner field after every action, without opening the phone's
  // on-screen keyboard (inputmode none); a tap on the field itself brings the keyboard.
  function focusScanner() { input.focus({ preventScroll: true }); }
  input.addEventListener("pointerdown", function () { input.setAttribute("inputmode", "text"); });
  input.addEventListener("blur", function () { input.setAttribute("inputmode", "none"); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); handle(input.value); input.value = ""; }
  });
  // A scanner types fast: a run of keys a few milliseconds apart ending in Enter that looks
  // like one of our invitation links is a scan, whatever has the focus (the search box, a
  // button, a form). What it typed into a field is taken back out.
  var LINK = /(^|\/i\/)[A-Za-z0-9_-]{16,64}\/?([?#].*)?$/;
  var burst = null;
  document.addEventListener("keydown", function (e) {
    if (e.target === input || e.isComposing) return;
    var now = performance.now();
    if (e.key === "Enter") {
      var b = burst; burst = null;
      if (b && b.text.length >= 16 && now - b.last < 200 && b.slow <= 2 && LINK.test(b.text.trim())) {
        e.preventDefault(); e.stopPropagation();
        if (b.field) {
          b.field.value = b.before;
          b.field.dispatchEvent(new Event("input", { bubbles: true }));
        }
        handle(b.text);
        focusScanner();
      }
      return;
    }
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return;
    if (!burst || now - burst.last > 300) {
      var t = e.target, field = /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) ? t : null;
      burst = { text: "", last: now, slow: 0, field: field, before: field ? field.value : "" };
    } else if (now - burst.last > 80) burst.slow += 1;
    burst.text += e.key; burst.last = now;
  }, true);

  // ---- the camera ------------------------------------------------------------------
  var video = $("camera"), canvas = $("frame"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null, facing = "environment", scanning = false;
  function stopCamera() { if (stream) stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  function startCamera() {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
      $("camera-note").textContent = T.no_camera; return;
    }
    stopCamera();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facing }, width: { ideal: 1280 } }, audio: false })
      .then(function (s) {
        stream = s; video.srcObject = s; video.play();
        $("camera-box").classList.remove("idle");
        $("camera-note").textContent = "";
        $("start-camera").hidden = true;
        $("switch-camera").hidden = false;
        var track = s.getVideoTracks()[0];
        var caps = track.getCapabilities ? track.getCapabilities() : {};
        $("torch").hidden = !caps.torch;
        if (!scanning) { scanning = true; requestAnimationFrame(tick); }
      }, function () { $("camera-note").textContent = T.no_camera; });
  }
  var last = 0;
  function tick(time) {
    requestAnimationFrame(tick);
    if (!stream || video.readyState < 2 || time - last < 120 || !window.jsQR) return;
    last = time;
    var w = video.videoWidth, h = video.videoHeight, scale = Math.min(1, 640 / Math.max(w, h));
    canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (code && code.data) handle(code.data);
  }
  $("start-camera").addEventListener("click", function () { startCamera(); focusScanner(); });
  $("switch-camera").addEventListener("click", function () {
    facing = facing === "environment" ? "user" : "environment"; startCamera();
  });
  var torchOn = false;
  $("torch").addEventListener("click", function () {
    if (!stream) return;
    torchOn = !torchOn;
    stream.getVideoTracks()[0].applyConstraints({ advanced: [{ torch: torchOn }] }).catch(function () {});
  });

  // ---- search by name, walk-ins and substitutes ------------------------------------
  var searchTimer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    var q = this.value;
    searchTimer = setTimeout(function () { search(q); }, 250);
  });
  function search(q) {
    var list = $("results");
    if (q.trim().length < 2) { list.innerHTML = ""; return; }
    fetch(cfg.search + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        list.innerHTML = "";
        if (!data.attendees.length) {
          var li = document.createElement("li"); li.className = "empty"; li.textContent = T.nobody; list.appendChild(li);
        }
        data.attendees.forEach(function (a) {
          var li = document.createElement("li");
          var who = document.createElement("span");
          who.innerHTML = "<strong></strong> <small class='muted'></small>";
          who.firstChild.textContent = a.full_name;
          who.lastChild.textContent = [a.position, a.unit].filter(Boolean).join(" · ") +
            (a.checked_in_at ? " — " + T.checked_at + " " + new Date(a.checked_in_at).toLocaleTimeString().slice(0, 5) : "");
          li.appendChild(who);
          var btn = document.createElement("button");
          btn.type = "button"; btn.className = "button small primary"; btn.textContent = T.check_in;
          btn.addEventListener("click", function () {
            var body = { attendee_id: a.id, nonce: newNonce() };
            if (cfg.gate) body.gate = cfg.gate;
            post(cfg.manual, body).then(function (d) { showServer(d); search($("search").value); },
                                        function () { setOnline(false); focusScanner(); });
          });
          li.appendChild(btn);
          if (a.category === "delegate") {
            var sub = document.createElement("button");
            sub.type = "button"; sub.className = "button small"; sub.textContent = T.substitute;
            sub.addEventListener("click", function () {
              $("replaces-id").value = a.id; $("replaces-name").textContent = a.full_name;
              var form = $("substitute-form"); form.hidden = false;
              form.closest("details").open = true; form.querySelector("input:not([type=hidden])").focus();
            });
            li.appendChild(sub);
          }
          list.appendChild(li);
        });
      });
  }
  function postForm(form, url) {
    var body = new FormData(form);
    body.append("nonce", newNonce());
    if (cfg.gate) body.append("gate", cfg.gate);
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cfg.csrf }, body: body })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.result) { showServer(data); form.reset(); }
        else show("bad", data.message || "", "", (data.errors || []).map(function (e) { return e.message || e; }).join(" "));
      });
  }
  $("walk-in-form").addEventListener("submit", function (e) { e.preventDefault(); postForm(this, cfg.walkIn); });
  $("substitute-form").addEventListener("submit", function (e) { e.preventDefault(); postForm(this, cfg.substitute).then(function () { $("substitute-form").hidden = true; }); });

  // ---- the meeting's mode and announcements, live ---------------------------------------
  if (window.io) {
    var socket = window.io({ tryAllTransports: true });
    socket.on("connect", function () { socket.emit("watch", { event: cfg.event }); refreshCounts(); });
    socket.on("attendance", function (msg) {
      if (msg && msg.board) { $("count-present").textContent = msg.board.present; $("count-expected").textContent = msg.board.expected; }
      if ($("count-gate")) refreshCounts();
    });
    var liveVersion = 0;  // the "live" stream's version: an older state never replaces a newer
    var showLive = function (live, version) {
      if (!live || version < liveVersion) return;
      liveVersion = version;
      $("moved-online").hidden = live.mode !== "online";
      var note = $("gate-announcement");
      note.hidden = !live.announcement;
      if (live.announcement) note.textContent = live.announcement.text;
    };
    socket.on("live", function (m) { showLive(m.live, m.version); });
    socket.on("reload", function () { location.reload(); });  // the database was restored
    socket.on("heartbeat", function (hb) {
      if (hb.versions.live > liveVersion)
        fetch(cfg.live, { credentials: "same-origin", headers: clockHeader() })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (m) { if (m) showLive(m.live, m.version); })
          .catch(function () {});
    });
    socket.on("dialogue", function (s) { showLive(s.live, s.live_version); });
  }

  // ---- start -------------------------------------------------------------------------
  window.addEventListener("online", function () { setOnline(true); flush(); syncList(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setOnline(navigator.onLine);
  syncList();
  updateQueueCount().then(flush);
  setInterval(flush, 5000);
  setInterval(syncList, 60000);
  focusScanner();
  startCamera();
})();

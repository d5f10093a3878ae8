// The chair's console. Live updates apply the console payload (the same state the server
// broadcasts to moderators): support counts and the order are applied in place, and only
// the cards, floor queue or agenda bar that changed are fetched as server-rendered parts
// (parsed with DOMParser, never innerHTML). A card being edited — an open editor, a typed
// note, a focused field — is never replaced: it says "this question changed meanwhile".
// Ordering by buttons, keys (Alt+↑/↓/Home) and pointer drag (mouse and touch).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("console-config").textContent);
  var live = document.getElementById("live");
  var notice = document.getElementById("console-notice");
  var COLUMNS = ["submitted", "approved", "answering", "answered", "rejected"];
  var known = parseInt(document.getElementById("console-body").dataset.version, 10) || 0;
  var pending = {};      // question id -> fresh card held back while the chair edits
  var syncing = null;
  var barStale = false;  // the agenda bar changed while the chair was using it

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function list(status) { return $('.qlist[data-status="' + status + '"]'); }
  function card(id) { return document.getElementById("q-" + id); }
  function say(text) { notice.textContent = ""; setTimeout(function () { notice.textContent = text; }, 50); }

  function flash(message) {
    var box = document.createElement("div");
    box.className = "flash flash-error console-flash"; box.setAttribute("role", "alert");
    box.textContent = message;
    document.querySelector("main").appendChild(box);
    setTimeout(function () { box.remove(); }, 7000);
  }

  // Busy: the chair is working inside this card; its DOM must not be swapped.
  function dirty(root) {
    return $$("textarea, input:not([type=hidden]), select", root).some(function (f) {
      if (f.tagName === "SELECT") return $$("option", f).some(function (o) { return o.selected !== o.defaultSelected; });
      if (f.type === "checkbox") return f.checked !== f.defaultChecked;
      return f.value !== f.defaultValue;
    });
  }
  function busy(el) {
    if (!el) return false;
    var a = document.activeElement;
    if (a && el.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)) return true;
    if ($$('details[data-panel="edit"][open], details[data-panel="reject"][open]', el).length) return true;
    return dirty(el);
  }

  function expectedOrder(state, status) {
    var qs = state.questions.filter(function (q) { return q.status === status; });
    if (status === "approved") qs.sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
    return qs.map(function (q) { return q.id; });
  }
  function floorSig(state) { return state.floor.map(function (f) { return f.id + ":" + f.status + ";"; }).join(""); }
  function barSig(s) { return (s.current_item_id || 0) + ":" + (s.questions_open ? 1 : 0) + ":" + (s.questions_item_id || 0); }

  function fetchParts(ids, floor, bar) {
    var qs = "?q=" + ids.join(",") + (floor ? "&floor=1" : "") + (bar ? "&bar=1" : "");
    return fetch(cfg.parts + qs, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { return new DOMParser().parseFromString(html, "text/html").getElementById("parts"); });
  }

  // Where focus was, so that it can be put back on the same control of the new card.
  function focusKey(el) {
    var a = document.activeElement;
    if (!a || !el.contains(a)) return null;
    if (a === el) return { self: true };
    var form = a.closest("form[data-action]"), move = a.dataset && a.dataset.move;
    var summary = a.tagName === "SUMMARY" && a.parentNode.dataset.panel;
    return { action: form && form.dataset.action, move: move, summary: summary };
  }
  function restoreFocus(el, key) {
    if (!key) return;
    var target = null;
    if (key.move) target = $('[data-move="' + key.move + '"]', el);
    else if (key.summary) target = $('details[data-panel="' + key.summary + '"] > summary', el);
    else if (key.action) target = $('form[data-action="' + key.action + '"] button', el);
    (target || el).focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  function place(fresh, force) {
    var id = fresh.dataset.id, old = card(id);
    fresh = document.importNode(fresh, true);
    if (old && !force && busy(old)) {
      pending[id] = fresh;
      $(".changed", old).hidden = false;
      old.classList.add("is-stale");
      return;
    }
    delete pending[id];
    var key = old ? focusKey(old) : null;
    var target = list(fresh.dataset.status);
    if (old && old.parentNode === target) old.replaceWith(fresh);
    else {
      if (old) old.remove();
      if (target) target.insertBefore(fresh, $(".empty", target));
    }
    restoreFocus(fresh, key);
  }

  function order(state) {
    COLUMNS.forEach(function (status) {
      var ol = list(status); if (!ol) return;
      var ids = expectedOrder(state, status), ref = ol.firstElementChild;
      ids.forEach(function (id) {
        var el = card(id);
        if (!el || el.parentNode !== ol) return;
        if (el === ref) { ref = ref.nextElementSibling; return; }
        var a = document.activeElement, had = a && el.contains(a) ? a : null;
        ol.insertBefore(el, ref);
        if (had) had.focus({ preventScroll: true });
      });
      var section = ol.closest(".column");
      $(".count", section).textContent = $$(".question", ol).length;
    });
  }

  function apply(state, opts) {
    opts = opts || {};
    if (!state || !state.questions) return Promise.resolve();
    if (state.version < known && !opts.force) return Promise.resolve();
    known = Math.max(known, state.version);
    var want = [], seen = {};
    state.questions.forEach(function (q) {
      seen[q.id] = true;
      var el = card(q.id);
      if (COLUMNS.indexOf(q.status) < 0) { if (el && !busy(el)) el.remove(); return; }
      if (!el || el.dataset.version !== String(q.version) || el.dataset.status !== q.status ||
          (opts.force && opts.force.indexOf(q.id) >= 0)) want.push(q.id);
      else {
        var n = $(".votes .n", el); if (n && n.textContent !== String(q.votes)) n.textContent = q.votes;
        el.dataset.position = q.position;
      }
    });
    $$(".question").forEach(function (el) { if (!seen[el.dataset.id] && !busy(el)) el.remove(); });
    var floorList = document.getElementById("floor-list"), bar = document.getElementById("agenda-bar");
    var needFloor = !floorList || floorList.dataset.sig !== floorSig(state);
    var needBar = bar && bar.dataset.sig !== barSig(state);
    if (needBar && bar.contains(document.activeElement)) { barStale = true; needBar = false; }
    var done = Promise.resolve();
    if (want.length || needFloor || needBar) {
      done = fetchParts(want, needFloor, needBar).then(function (parts) {
        if (!parts) return;
        $$(".question", parts).forEach(function (fresh) {
          place(fresh, opts.force && opts.force.indexOf(parseInt(fresh.dataset.id, 10)) >= 0);
        });
        var f = $("#floor-list", parts);
        if (f) {
          var key = floorList && floorList.contains(document.activeElement) ? document.activeElement.closest("li[data-id]") : null;
          floorList.replaceWith(document.importNode(f, true));
          document.getElementById("floor-count").textContent = state.floor.length;
          if (key) { var li = $('#floor-list li[data-id="' + key.dataset.id + '"]'); (li || $("#floor-list")).focus(); }
          tick();
        }
        var b = $("#agenda-bar", parts);
        if (b && bar) bar.replaceWith(document.importNode(b, true));
      });
    }
    return done.then(function () { order(state); });
  }

  function sync(opts) {
    if (syncing && !opts) return syncing;
    syncing = fetch(cfg.state, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) { return apply(state, opts || { force: false }); })
      .catch(function () {})
      .finally(function () { syncing = null; });
    return syncing;
  }

  function post(url, body, headers) {
    headers = Object.assign({ "X-CSRFToken": cfg.csrf, "Accept": "application/json" }, headers || {});
    return fetch(url, { method: "POST", credentials: "same-origin", body: body, headers: headers })
      .then(function (r) { return r.json(); });
  }

  // --- actions ---------------------------------------------------------------------------
  function submitForm(form) {
    var el = form.closest(".question");
    var id = el ? parseInt(el.dataset.id, 10) : null;
    var action = form.dataset.action;
    var button = $("button[type=submit]", form); if (button) button.disabled = true;
    return post(form.action, new FormData(form)).then(function (d) {
      if (button) button.disabled = false;
      if (!id) return sync({ force: [] });
      if (!d.ok) {
        flash(d.message);
        if ((d.error || d.code) === "stale" && action === "edit") {  // keep what was typed
          $(".changed", el).hidden = false; el.classList.add("is-stale");
          return null;
        }
      }
      // The card was acted on: show its new state in its new column, focus kept on it.
      var keep = document.activeElement && (el.contains(document.activeElement) || document.activeElement === document.body);
      $$("details[open]", el).forEach(function (det) { if (det.dataset.panel !== "answered") det.open = false; });
      return sync({ force: [id] }).then(function () {
        var now = card(id);
        if (now && keep) { now.focus({ preventScroll: true }); now.scrollIntoView({ block: "nearest" }); }
        if (now && d.ok) say(now.closest(".column").querySelector("h2").firstChild.textContent.trim());
        return d;
      });
    }).catch(function () { if (button) button.disabled = false; flash(cfg.failed); });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("#console-body form, #agenda-bar form")) return;
    e.preventDefault();
    submitForm(form);
  });
  // "Next": the question on screen is marked answered (with the note typed, if any) and the
  // first of the queue goes on screen.
  function next() {
    var current = $(".col-answering .question");
    var done = current ? submitForm($('form[data-action="answered"]', current)) : Promise.resolve();
    return done.then(function () {
      var first = $(".col-approved .question");
      if (!first) return;
      first.focus({ preventScroll: true });
      return submitForm($('form[data-action="answering"]', first));
    });
  }

  document.addEventListener("click", function (e) {
    var reload = e.target.closest(".reload-card");
    if (reload) {
      var el = reload.closest(".question"), fresh = pending[el.dataset.id];
      if (fresh) { place(fresh, true); card(el.dataset.id).focus(); } else sync({ force: [parseInt(el.dataset.id, 10)] });
      return;
    }
    var move = e.target.closest("[data-move]");
    if (move) moveCard(move.closest(".question"), move.dataset.move, move);
    var zoomButton = e.target.closest("[data-zoom]");
    if (zoomButton) setZoom(zoom + parseInt(zoomButton.dataset.zoom, 10));
    var keys = e.target.closest("#shortcuts-toggle");
    if (keys) {
      var box = document.getElementById("shortcuts");
      box.hidden = !box.hidden; keys.setAttribute("aria-expanded", String(!box.hidden));
    }
  });

  // The dialogue screen's text size: sent to the screens, remembered on this console.
  var ZOOM_KEY = "checkin-stage-zoom-" + cfg.event;
  var zoom = parseInt(localStorage.getItem(ZOOM_KEY), 10) || 100;
  document.getElementById("zoom-value").textContent = zoom + "%";
  function setZoom(value) {
    value = Math.max(60, Math.min(200, value));
    var body = new FormData(); body.append("zoom", value);
    post(cfg.zoom, body).then(function (d) {
      if (!d.ok) { flash(d.message); return; }
      zoom = d.zoom; localStorage.setItem(ZOOM_KEY, zoom);
      document.getElementById("zoom-value").textContent = zoom + "%";
    }).catch(function () { flash(cfg.failed); });
  }

  function sendOrder() {
    var ids = $$(".question", list("approved")).map(function (x) { return parseInt(x.dataset.id, 10); });
    return post(cfg.reorder, JSON.stringify({ order: ids }), { "Content-Type": "application/json" })
      .then(function (d) { if (!d.ok) flash(d.message); })
      .catch(function () { flash(cfg.failed); sync({ force: [] }); });
  }
  function moveCard(el, how, focusTarget) {
    if (!el || el.dataset.status !== "approved") return;
    var ol = el.parentNode, cards = $$(".question", ol), i = cards.indexOf(el);
    var before = null;
    if (how === "top") { if (i === 0) return; before = cards[0]; }
    else if (how === "up") { if (i === 0) return; before = cards[i - 1]; }
    else if (how === "down") { if (i === cards.length - 1) return; before = cards[i + 1].nextElementSibling; }
    var focused = focusTarget || document.activeElement;
    ol.insertBefore(el, before);
    (focused && el.contains(focused) ? focused : el).focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    say((i + 1) + " → " + ($$(".question", ol).indexOf(el) + 1));
    sendOrder();
  }

  // --- keyboard --------------------------------------------------------------------------
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var el = t.closest ? t.closest(".question") : null;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable) {
      if (e.key === "Escape" && el) {
        var det = t.closest("details"); if (det && !dirty(det)) det.open = false;
        el.focus(); e.preventDefault();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey) return;
    var all = $$(".question");
    if (e.altKey) {
      if (!el) return;
      var how = { ArrowUp: "up", ArrowDown: "down", Home: "top" }[e.key];
      if (how) { e.preventDefault(); moveCard(el, how); }
      return;
    }
    function go(target) { if (target) { e.preventDefault(); target.focus(); target.scrollIntoView({ block: "nearest" }); } }
    function press(selector) { var b = el && $(selector, el); if (b) { e.preventDefault(); b.click(); } }
    function open(panel, field) {
      var det = el && $('details[data-panel="' + panel + '"]', el);
      if (!det) return; e.preventDefault(); det.open = true; $(field, det).focus();
    }
    switch (e.key) {
      case "j": case "ArrowDown": if (el || e.key === "j") go(all[el ? all.indexOf(el) + 1 : 0]); break;
      case "k": case "ArrowUp": if (el) go(all[all.indexOf(el) - 1]); break;
      case "a": press('form[data-action="approve"] button'); break;
      case "n": press('form[data-action="answering"] button'); break;
      case "r": open("reject", "input[name=reason]"); break;
      case "e": open("edit", "textarea"); break;
      case ".": e.preventDefault(); next(); break;
      case "?": { e.preventDefault(); $("#shortcuts-toggle").click(); break; }
      default: break;
    }
  });

  // Once the chair leaves a card (or the agenda bar) alone, the change held back is shown.
  function settle() {
    setTimeout(function () {
      Object.keys(pending).forEach(function (id) {
        var el = card(id);
        if (el && !busy(el)) place(pending[id], true);
      });
      var bar = document.getElementById("agenda-bar");
      if (barStale && bar && !bar.contains(document.activeElement)) { barStale = false; sync({ force: [] }); }
    }, 0);
  }
  document.addEventListener("focusout", settle);
  document.addEventListener("toggle", settle, true);

  // --- drag to order (pointer events: mouse, pen and touch alike) --------------------------
  var drag = null;
  document.addEventListener("pointerdown", function (e) {
    var handle = e.target.closest(".handle");
    if (!handle) return;
    var el = handle.closest(".question");
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    drag = { el: el, ol: el.parentNode, handle: handle, y: e.clientY, scroll: null };
    el.classList.add("dragging");
  });
  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    drag.y = e.clientY;
    var others = $$(".question", drag.ol).filter(function (x) { return x !== drag.el; });
    var before = null;
    for (var i = 0; i < others.length; i++) {
      var r = others[i].getBoundingClientRect();
      if (e.clientY < r.top + r.height / 2) { before = others[i]; break; }
    }
    if ((before || $(".empty", drag.ol)) !== drag.el.nextElementSibling) drag.ol.insertBefore(drag.el, before || $(".empty", drag.ol));
    // Near the edges the column scrolls, so that a card can go where it is not yet visible.
    var box = drag.ol.getBoundingClientRect(), edge = 48;
    var speed = e.clientY < box.top + edge ? -12 : e.clientY > box.bottom - edge ? 12 : 0;
    if (speed && !drag.scroll) drag.scroll = setInterval(function () { drag && (drag.ol.scrollTop += speed); }, 30);
    if (!speed && drag.scroll) { clearInterval(drag.scroll); drag.scroll = null; }
  });
  function endDrag() {
    if (!drag) return;
    if (drag.scroll) clearInterval(drag.scroll);
    drag.el.classList.remove("dragging");
    drag.el.focus({ preventScroll: true });
    drag = null;
    sendOrder();
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  // --- countdown ----------------------------------------------------------------------------
  function tick() {
    $$(".countdown[data-started]").forEach(function (el) {
      if (!el.dataset.started || el.dataset.started === "None") return;
      var left = Math.round(parseInt(el.dataset.seconds, 10) - (Date.now() - Date.parse(el.dataset.started)) / 1000);
      var over = left < 0, s = Math.min(Math.abs(left), 599);
      el.textContent = (over ? "+" : "") + Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      el.classList.toggle("over", over);
    });
  }
  setInterval(tick, 1000); tick();

  // --- live ---------------------------------------------------------------------------------
  var polling = setInterval(sync, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) { live.className = "pill online"; clearInterval(polling); polling = null; sync(); }
    });
  });
  socket.on("disconnect", function () { live.className = "pill offline"; if (!polling) polling = setInterval(sync, 5000); });
  socket.on("console", function (msg) { apply(msg && msg.questions ? msg : msg && msg.state); });
  socket.on("heartbeat", function (hb) {  // missed a change (the message queue was away)?
    if (hb.versions.dialogue > known) sync();
  });
  socket.on("reload", function () { location.reload(); });  // the database was restored
})();

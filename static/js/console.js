// The chair's console: actions post without leaving the page; any change — ours or another
// moderator's — reloads the console's body from the server (parsed, never via innerHTML),
// so several moderators see the same truth. Drag to order the approved queue.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("console-config").textContent);
  var body = function () { return document.getElementById("console-body"); };
  var live = document.getElementById("live");
  var loading = null;

  function refresh() {
    if (loading) return loading;
    var open = Array.prototype.map.call(document.querySelectorAll("details[open]"), function (d) {
      var li = d.closest("[data-id]"); return li ? li.dataset.id + ":" + d.querySelector("summary").textContent : null;
    });
    loading = fetch(location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("console-body");
        if (fresh) body().replaceWith(document.importNode(fresh, true));
        open.forEach(function (key) {
          if (!key) return;
          var parts = key.split(":");
          var li = document.querySelector('[data-id="' + parts[0] + '"]');
          if (!li) return;
          li.querySelectorAll("details").forEach(function (d) {
            if (d.querySelector("summary").textContent === parts.slice(1).join(":")) d.open = true;
          });
        });
        bind();
      })
      .finally(function () { loading = null; });
    return loading;
  }

  function flash(message) {
    var box = document.createElement("div");
    box.className = "flash flash-error"; box.setAttribute("role", "alert");
    box.textContent = message;
    var main = document.querySelector("main");
    main.insertBefore(box, main.firstChild);
    setTimeout(function () { box.remove(); }, 7000);
  }

  function bind() {
    document.querySelectorAll("#console-body form").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        fetch(form.action, { method: "POST", credentials: "same-origin", body: new FormData(form),
                             headers: { "X-CSRFToken": cfg.csrf, "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (d) { if (!d.ok) flash(d.message); refresh(); })
          .catch(function () { flash("⚠"); });
      });
    });
    var list = document.querySelector(".qlist.sortable");
    if (list) {
      var dragged = null;
      list.querySelectorAll("li[draggable]").forEach(function (li) {
        li.addEventListener("dragstart", function () { dragged = li; li.classList.add("dragging"); });
        li.addEventListener("dragend", function () { li.classList.remove("dragging"); });
        li.addEventListener("dragover", function (e) {
          e.preventDefault();
          if (!dragged || dragged === li) return;
          var after = e.offsetY > li.offsetHeight / 2;
          list.insertBefore(dragged, after ? li.nextSibling : li);
        });
        li.addEventListener("drop", function (e) {
          e.preventDefault();
          var order = Array.prototype.map.call(list.querySelectorAll("li[data-id]"), function (x) { return parseInt(x.dataset.id, 10); });
          fetch(cfg.reorder, { method: "POST", credentials: "same-origin",
                               headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, "Accept": "application/json" },
                               body: JSON.stringify({ order: order }) }).then(refresh);
        });
      });
    }
  }
  function tickCountdowns() {
    document.querySelectorAll(".countdown[data-started]").forEach(function (el) {
      var left = Math.round(parseInt(el.dataset.seconds, 10) - (Date.now() - Date.parse(el.dataset.started)) / 1000);
      var sign = left < 0 ? "-" : "";
      left = Math.abs(left);
      el.textContent = sign + Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      el.classList.toggle("over", sign === "-");
    });
  }
  bind();
  setInterval(tickCountdowns, 1000);
  var polling = setInterval(refresh, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) { live.className = "pill online"; clearInterval(polling); polling = null; refresh(); }
    });
  });
  socket.on("disconnect", function () { live.className = "pill offline"; if (!polling) polling = setInterval(refresh, 5000); });
  socket.on("console", function () { refresh(); });
  socket.on("reload", function () { location.reload(); });  // the database was restored
  socket.on("heartbeat", function (hb) {  // missed a change (the message queue was away)?
    if (hb.versions.dialogue > (parseInt(body().dataset.version, 10) || 0)) refresh();
  });
})();

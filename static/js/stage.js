// The projector: no interaction. Any change reloads the stage from the server (parsed,
// never via innerHTML); a countdown runs while someone has the floor.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("stage-config").textContent);
  var loading = null;
  function refresh() {
    if (loading) return;
    loading = fetch(location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("stage-body");
        if (fresh) document.getElementById("stage-body").replaceWith(document.importNode(fresh, true));
      })
      .catch(function () {})
      .finally(function () { loading = null; });
  }
  function tick() {
    document.querySelectorAll(".countdown[data-started]").forEach(function (el) {
      if (!el.dataset.started || el.dataset.started === "None") return;
      var left = Math.round(parseInt(el.dataset.seconds, 10) - (Date.now() - Date.parse(el.dataset.started)) / 1000);
      var sign = left < 0 ? "-" : "";
      left = Math.abs(left);
      el.textContent = sign + Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      el.classList.toggle("over", sign === "-");
    });
  }
  setInterval(tick, 1000); tick();
  var polling = setInterval(refresh, 5000);
  if (!window.io) return;
  var socket = window.io({ tryAllTransports: true });
  socket.on("connect", function () {
    socket.emit("watch", { event: cfg.event }, function (reply) {
      if (reply && reply.ok) { clearInterval(polling); polling = null; refresh(); }
    });
  });
  socket.on("disconnect", function () { if (!polling) polling = setInterval(refresh, 5000); });
  socket.on("dialogue", refresh);
  socket.on("live", refresh);  // the mode and announcements show on the stage too
})();

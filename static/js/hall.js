// Hall screens (the hall QR page, the projector): the self check-in code changes every
// 30 seconds, so fetch the new QR and swap it in, without reloading the page.
(function () {
  "use strict";
  var figures = document.querySelectorAll("[data-hall-qr]");
  Array.prototype.forEach.call(figures, function (figure) {
    var seconds = parseInt(figure.getAttribute("data-seconds"), 10) || 30;
    var refresh = function () {
      fetch(figure.getAttribute("data-hall-qr"), {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (svg) { if (svg) { figure.innerHTML = svg; } })
        .catch(function () { /* offline for a moment: the next tick tries again */ });
    };
    // Refresh a little before each 30-second window starts, aligned to the clock.
    var wait = seconds * 1000 - (Date.now() % (seconds * 1000));
    setTimeout(function () { refresh(); setInterval(refresh, seconds * 1000); }, wait + 500);
  });
})();

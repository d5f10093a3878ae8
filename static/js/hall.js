// The hall's self check-in QR: the code rotates every minute; the new one is fetched and
// swapped in (the server's SVG, parsed — never innerHTML) without reloading the page.
(function () {
  "use strict";
  function rotate() {
    fetch(location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("hall-qr");
        var now = document.getElementById("hall-qr");
        if (fresh && now && fresh.innerHTML !== now.innerHTML) now.replaceWith(document.importNode(fresh, true));
      })
      .catch(function () { /* keep the code shown; the next try comes soon */ });
  }
  setInterval(rotate, 15000);
})();

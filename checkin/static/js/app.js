// Small enhancements on top of pages that already work without JavaScript.
(function () {
  "use strict";
  // Ask before destructive posts (forms carry data-confirm).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // "Copy" buttons next to read-only link fields.
  document.querySelectorAll(".js-copy").forEach(function (btn) {
    var input = btn.previousElementSibling;
    if (!input || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        var old = btn.textContent;
        btn.textContent = "✓";
        setTimeout(function () { btn.textContent = old; }, 1500);
      });
    });
  });
  // Select the whole link when its field gets focus (phones: long-press to copy).
  document.querySelectorAll("input.copy-source").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();

// Background jobs: keeps progress bars current, starts jobs from forms without leaving
// the page, and shows a notice on any staff page when one of the user's jobs ends.
// Live over Socket.IO where the page has it; otherwise (and as a fallback) it polls
// small JSON endpoints. Pages work without it: forms post and job pages refresh.
(function () {
  "use strict";
  var cfgEl = document.getElementById("jobs-config");
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.texts;
  var NOTIFIED = "checkin.jobs.notified";
  var ACTIVE = { queued: true, running: true };

  function notified() {
    try { return JSON.parse(localStorage.getItem(NOTIFIED) || "[]"); } catch (e) { return []; }
  }
  function markNotified(id) {
    var list = notified();
    if (list.indexOf(id) < 0) list.push(id);
    try { localStorage.setItem(NOTIFIED, JSON.stringify(list.slice(-200))); } catch (e) { /* private mode */ }
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store",
                        headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  // --- progress bars (.job[data-job-status]) ---------------------------------------
  function render(box, job) {
    var was = box.dataset.jobStatusValue;
    box.dataset.jobStatusValue = job.status;
    var follow = box.closest("[data-job-follow]") || box.dataset.jobFollow;
    if (follow && was && ACTIVE[was] && !ACTIVE[job.status]) {
      markNotified(job.id);
      window.location.href = job.next || window.location.href;
      return;
    }
    var q = function (sel) { return box.querySelector(sel); };
    var active = !!ACTIVE[job.status];
    q(".job-state").textContent = job.status_label || T[job.status] || job.status;
    var bar = q(".job-bar");
    bar.hidden = !active;
    bar.max = Math.max(job.total || 1, 1);
    bar.value = job.total ? job.done : 0;
    if (!job.total) bar.removeAttribute("value");
    var counts = q(".job-counts");
    counts.hidden = !job.total;
    q(".job-done").textContent = job.done;
    q(".job-total").textContent = job.total;
    q(".job-eta").textContent = active && job.eta ? " · " + T.left.replace("{s}", job.eta) : "";
    var result = q(".job-result");
    var link = q(".job-download");
    if (job.download || job.next) {
      result.hidden = false;
      link.href = job.download || job.next;
      if (job.download) link.textContent = T.download + " " + (job.filename || "");
    }
    var error = q(".job-error");
    error.hidden = job.status !== "failed";
    if (job.error) error.textContent = job.error;
    q(".job-cancel").hidden = !active;
    q(".job-retry").hidden = !(job.status === "failed" || job.status === "cancelled");
    if (!active) markNotified(job.id);  // seen here: no separate notice needed
  }
  function track(box) {
    if (box.dataset.tracked) return;
    box.dataset.tracked = "1";
    var url = box.dataset.jobStatus;
    function poll() {
      getJSON(url).then(function (job) {
        if (job) render(box, job);
        if (!job || ACTIVE[job.status]) setTimeout(poll, socketLive ? 3000 : 1000);
      }).catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  }
  function trackAll() { document.querySelectorAll(".job[data-job-status]").forEach(track); }

  // --- forms that start a job (form[data-job-form]): stay on the page -------------
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-job-form], .job-retry")) return;
    e.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (job) {
        var box = form.closest(".job");
        if (!box) {
          var tpl = document.getElementById("job-template");
          var slot = document.getElementById(form.dataset.jobForm) || form.parentNode;
          box = tpl.content.firstElementChild.cloneNode(true);
          if (form.dataset.jobFollow) box.dataset.jobFollow = "1";
          slot.appendChild(box);
        }
        box.dataset.jobStatus = job.status_url;
        box.querySelector(".job-label strong").textContent = job.label;
        box.querySelector(".job-cancel").action = job.url + "/cancel";
        box.querySelector(".job-retry").action = job.url + "/retry";
        delete box.dataset.tracked;
        box.dataset.jobStatusValue = "queued";
        render(box, job);
        track(box);
      })
      .catch(function () { form.submit(); });  // let the server answer the plain way
  });

  // --- live updates over Socket.IO, where the page loads it --------------------------
  var socketLive = false;
  function connectSocket() {
    if (!window.io || !document.querySelector(".job[data-job-status], form[data-job-form]")) return;
    var socket = window.io({ tryAllTransports: true });
    socket.on("connect", function () {
      socket.emit("jobs", {}, function (reply) { socketLive = !!(reply && reply.ok); });
    });
    socket.on("disconnect", function () { socketLive = false; });
    socket.on("job", function (job) {
      document.querySelectorAll('.job[data-job-status$="/jobs/' + job.id + '.json"]').forEach(function (box) {
        if (ACTIVE[job.status]) {
          var bar = box.querySelector(".job-bar");
          bar.max = Math.max(job.total || 1, 1); bar.value = job.done;
          box.querySelector(".job-counts").hidden = !job.total;
          box.querySelector(".job-done").textContent = job.done;
          box.querySelector(".job-total").textContent = job.total;
          box.querySelector(".job-eta").textContent = job.eta ? " · " + T.left.replace("{s}", job.eta) : "";
        } else {
          getJSON(box.dataset.jobStatus).then(function (full) { if (full) render(box, full); });
        }
      });
      if (!ACTIVE[job.status]) checkMine();
    });
  }

  // --- notices when a job ends, on whatever page ---------------------------------------
  var area = document.getElementById("job-notices");
  var mineTimer = null;
  function notice(job) {
    markNotified(job.id);
    var div = document.createElement("div");
    div.className = "job-notice flash " + (job.status === "done" ? "flash-success" : "flash-error");
    div.setAttribute("role", job.status === "done" ? "status" : "alert");
    var text = document.createElement("span");
    text.textContent = (T[job.status] || "") + " " + job.label + (job.error ? " — " + job.error : "") + " ";
    div.appendChild(text);
    var href = job.download || job.next || job.url;
    var a = document.createElement("a");
    a.href = href;
    a.className = "button small primary";
    a.textContent = job.download ? T.download : T.open;
    div.appendChild(a);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = T.close;
    close.addEventListener("click", function () { div.remove(); });
    div.appendChild(close);
    area.appendChild(div);
  }
  function checkMine() {
    clearTimeout(mineTimer);
    getJSON(cfg.mine).then(function (data) {
      if (!data) return;
      var seen = notified(), anyActive = false;
      data.jobs.forEach(function (job) {
        if (ACTIVE[job.status]) { anyActive = true; return; }
        if (job.status === "cancelled" || seen.indexOf(job.id) >= 0) return;
        if (document.querySelector('.job[data-job-status="' + job.status_url + '"]')) return;
        notice(job);
      });
      mineTimer = setTimeout(checkMine, anyActive ? 2000 : 30000);
    }).catch(function () { mineTimer = setTimeout(checkMine, 10000); });
  }

  function start() { trackAll(); connectSocket(); checkMine(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// koppel dashboard: the only script. The page works without it (forms POST and redirect back);
// with it the page refreshes itself while a task runs, and after a button was pressed until
// the new run shows up (data-stamp changes) or 20 seconds have passed.
(function () {
  "use strict";
  var WATCH = "koppel-watch-until", STAMP = "koppel-watch-stamp";
  var store = window.sessionStorage;
  var body = document.body;
  var running = body.getAttribute("data-running") === "true";
  var stamp = body.getAttribute("data-stamp") || "";

  Array.prototype.forEach.call(document.querySelectorAll("form[data-watch]"), function (f) {
    f.addEventListener("submit", function () {
      store.setItem(WATCH, String(Date.now() + 20000));
      store.setItem(STAMP, stamp);
      var b = f.querySelector("button");
      if (b) { setTimeout(function () { b.disabled = true; }, 0); }
    });
  });

  // Drop ?notice=... so a refresh does not show it again.
  if (window.location.search.indexOf("notice=") >= 0 && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }

  var delay = 30000; // idle: keep next-run times and scheduled runs current
  var until = Number(store.getItem(WATCH) || 0);
  if (running) {
    delay = 2000;
  } else if (Date.now() < until && store.getItem(STAMP) === stamp) {
    delay = 1000; // a button was pressed and its run has not shown up yet
  } else {
    store.removeItem(WATCH);
    store.removeItem(STAMP);
  }
  setTimeout(function () { window.location.reload(); }, delay);
})();

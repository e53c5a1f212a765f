/* ProASN CAT — proctor pages.
 *
 * The live board asks for the rows changed since its cursor every 3 s while the tab is
 * visible and every 30 s while it is hidden (a fixed-interval htmx trigger cannot adapt
 * without eval, which the CSP forbids), and swaps them in by id. Remaining times and
 * "seconds ago" count locally between polls; a seat ticked for a bulk action stays ticked
 * when its row is swapped. When the login ends (or the room is no longer this proctor's) the
 * board stops and says so. The room token screen reloads itself.
 */
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.max(0, Math.round(seconds)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (h ? h + ":" : "") + two(m) + ":" + two(s % 60);
  }

  // --- printed pages: a print button (no inline script under the CSP) -------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- room token screen --------------------------------------------------------------------
  if (document.getElementById("token-screen")) {
    setTimeout(function () { window.location.reload(); }, 10000);
    return;
  }

  var board = document.getElementById("board");
  if (!board) return;
  var rendered = {}; // row id → performance.now() when its numbers were rendered
  // Set when a poll says this board will get no more data (the login ended or the room was
  // taken from this proctor): the polls stop, the times stop counting, and a note says why,
  // rather than a board that goes on looking live with old rows.
  var ended = false;

  function end(why) {
    ended = true;
    board.classList.add("board-ended");
    var note = document.getElementById("board-ended-" + why);
    if (note) note.hidden = false;
  }

  // A poll after the login ended is sent to the login page (fetch follows the redirect).
  function refusal(response) {
    if (response.status === 401) return "login";
    if (response.status === 403) return "forbidden";
    if (response.redirected && new URL(response.url).pathname === "/staf/masuk") return "login";
    return null;
  }

  function stamp(row) { rendered[row.id] = performance.now(); }
  Array.prototype.forEach.call(document.querySelectorAll("#board-rows tr"), stamp);

  function tick() {
    if (ended) return;
    var now = performance.now();
    Array.prototype.forEach.call(document.querySelectorAll("#board-rows tr"), function (row) {
      var elapsed = (now - (rendered[row.id] || now)) / 1000;
      var cell = row.querySelector(".remaining");
      if (cell && cell.dataset.remaining !== "") {
        var left = Number(cell.dataset.remaining) - (cell.dataset.paused === "1" ? 0 : elapsed);
        cell.textContent = format(left);
      }
      var seen = row.querySelector(".seen");
      if (seen && seen.dataset.age !== "") seen.textContent = format(Number(seen.dataset.age) + elapsed);
    });
  }

  function poll() {
    var cursor = document.getElementById("board-cursor");
    var url = board.dataset.poll + "?since=" + encodeURIComponent(cursor.dataset.since);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        var why = refusal(response);
        if (why) { end(why); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
        Array.prototype.forEach.call(doc.querySelectorAll("tr.seat"), function (fresh) {
          var old = document.getElementById(fresh.id);
          var adopted = document.importNode(fresh, true);
          var picked = old && old.querySelector("input.pick");
          if (picked && picked.checked) adopted.querySelector("input.pick").checked = true;
          if (old) old.replaceWith(adopted); else document.getElementById("board-rows").appendChild(adopted);
          stamp(adopted);
        });
        var totals = doc.getElementById("board-totals");
        if (totals) document.getElementById("board-totals").replaceWith(document.importNode(totals, true));
        var next = doc.getElementById("board-cursor");
        if (next) cursor.dataset.since = next.dataset.since;
        tick();
      }, function () { /* network trouble: try again next round */ })
      .then(schedule, schedule);
  }

  function schedule() {
    if (ended) return;
    setTimeout(poll, document.visibilityState === "hidden" ? 30000 : 3000);
  }

  // A refused bulk action comes back to a fresh page: tick the same seats again.
  var bulk = document.getElementById("bulk-form");
  if (bulk && window.sessionStorage) {
    var key = "proasn-bulk:" + window.location.pathname;
    var saved = sessionStorage.getItem(key);
    sessionStorage.removeItem(key);
    if (saved && document.querySelector("p.alert[role=alert]")) {
      JSON.parse(saved).forEach(function (id) {
        var box = document.querySelector("#seat-" + id + " input.pick");
        if (box) box.checked = true;
      });
    }
    bulk.addEventListener("submit", function () {
      var ids = Array.prototype.map.call(
        document.querySelectorAll("#board-rows input.pick:checked"), function (box) { return box.value; });
      sessionStorage.setItem(key, JSON.stringify(ids));
    });
  }

  var pickAll = document.getElementById("pick-all");
  if (pickAll) {
    pickAll.addEventListener("change", function () {
      Array.prototype.forEach.call(document.querySelectorAll("#board-rows input.pick"), function (box) {
        box.checked = pickAll.checked;
      });
    });
  }

  tick();
  setInterval(tick, 1000);
  schedule();
})();

/* ProASN CAT — the PC readiness page (/ujian/cek), for the room's technician.
 *
 * Measures what the test page needs (storage, fetch, EventSource, screen size, latency to the
 * server) and what is only shown (service workers, the PC's clock and zone, Safe Exam
 * Browser), shows a first verdict from the thresholds the page carries, and reports under
 * the room token; the table then shows the server's verdicts (app/readiness/rules.py).
 * XMLHttpRequest, not fetch: the page must work where fetch is missing, to say so. ES5, no
 * inline script (CSP), for the browsers of old exam PCs.
 */
(function () {
  "use strict";

  var root = document.getElementById("pc-check");
  if (!root) return;
  var data = root.dataset;
  var measured = {};

  function canWrite(name) {
    try {
      var store = window[name], key = "proasn-check";
      store.setItem(key, "1");
      var ok = store.getItem(key) === "1";
      store.removeItem(key);
      return ok;
    } catch (e) { return false; }
  }

  function now() { return window.performance && performance.now ? performance.now() : new Date().getTime(); }

  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("Accept", "application/json");
    if (body) xhr.setRequestHeader("Content-Type", "application/json");
    xhr.onload = function () {
      var parsed = null;
      try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; }
      done(xhr.status, parsed);
    };
    xhr.onerror = function () { done(0, null); };
    xhr.send(body ? JSON.stringify(body) : null);
  }

  function show(code, verdict, value) {
    var row = document.getElementById("check-" + code);
    if (!row) return;
    row.querySelector(".value").textContent = value || "";
    var cell = row.querySelector(".verdict");
    cell.textContent = data["word" + verdict.charAt(0).toUpperCase() + verdict.slice(1)];
    row.setAttribute("data-verdict", verdict);
  }

  function yesNo(flag) { return flag ? data.wordYes : data.wordNo; }
  function passes(flag) { return flag ? "pass" : "fail"; }
  function offsetText(minutes) {
    var abs = Math.abs(minutes), h = Math.floor(abs / 60), m = abs % 60;
    return "UTC" + (minutes < 0 ? "-" : "+") + (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  // --- what the browser offers --------------------------------------------------------------
  measured.local_storage = canWrite("localStorage");
  measured.session_storage = canWrite("sessionStorage");
  measured.fetch = typeof window.fetch === "function";
  measured.event_source = typeof window.EventSource === "function";
  measured.service_worker = "serviceWorker" in navigator;
  measured.screen_width = window.screen.width;
  measured.screen_height = window.screen.height;
  measured.viewport_width = window.innerWidth;
  measured.viewport_height = window.innerHeight;
  measured.utc_offset_minutes = -new Date().getTimezoneOffset();
  try { measured.time_zone = Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { measured.time_zone = null; }

  show("storage", passes(measured.local_storage && measured.session_storage), "");
  show("fetch", passes(measured.fetch), "");
  show("event_source", passes(measured.event_source), "");
  show("service_worker", "info", yesNo(measured.service_worker));
  show("screen", passes(measured.screen_width >= Number(data.minWidth) && measured.screen_height >= Number(data.minHeight)),
    measured.screen_width + "×" + measured.screen_height + " (" + measured.viewport_width + "×" + measured.viewport_height + ")");
  show("time_zone", "info", "PC " + offsetText(measured.utc_offset_minutes));
  var seb = /SEB/.test(navigator.userAgent);
  show("seb", "info", yesNo(seb));

  // --- latency and clock: small requests one after another ---------------------------------
  var samples = Number(data.samples), latencies = [], best = null;
  function sample() {
    var sentWall = new Date().getTime(), sent = now();
    request("GET", data.timeUrl + "?n=" + latencies.length + "&t=" + sentWall, null, function (status, body) {
      if (status !== 200 || !body) { show("latency", "fail", ""); return ready(); }
      var rtt = now() - sent;
      latencies.push(Math.round(rtt * 10) / 10);
      // The PC's clock at the moment the server answered, against the server's: the sample
      // with the shortest round trip places that moment best.
      var offset = sentWall + rtt / 2 - Date.parse(body.now);
      if (best === null || rtt < best.rtt) best = { rtt: rtt, offset: offset };
      if (body.seb) { seb = true; show("seb", "info", yesNo(true)); }
      if (latencies.length < samples) return sample();
      var sorted = latencies.slice().sort(function (a, b) { return a - b; });
      var mid = Math.floor(sorted.length / 2);
      var median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      show("latency", passes(median <= Number(data.maxLatency)), Math.round(median) + " ms");
      measured.clock_offset_ms = Math.round(best.offset);
      var seconds = Math.round(best.offset / 1000);
      show("clock", "info", (seconds >= 0 ? "+" : "") + seconds + " s");
      ready();
    });
  }
  function ready() {
    measured.latencies_ms = latencies;
    if (measured.clock_offset_ms === undefined) measured.clock_offset_ms = null;
    document.getElementById("report-send").disabled = false;
    root.setAttribute("data-measured", "1");
  }
  sample();

  // --- the report -------------------------------------------------------------------------------
  var form = document.getElementById("report-form");
  var status = document.getElementById("report-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    for (var key in measured) if (Object.prototype.hasOwnProperty.call(measured, key)) body[key] = measured[key];
    body.room_token = document.getElementById("room-token").value;
    body.pc_label = document.getElementById("pc-label").value;
    status.textContent = data.wordSending;
    request("POST", data.reportUrl, body, function (code, reply) {
      if (code === 200 && reply) {
        for (var check in reply.results) {
          if (Object.prototype.hasOwnProperty.call(reply.results, check)) {
            show(check, reply.results[check].verdict, reply.results[check].value);
          }
        }
        status.textContent = reply.summary + " — " + reply.room + " · " + reply.checked_at;
        status.setAttribute("data-state", reply.passed ? "passed" : "failed");
      } else {
        status.textContent = reply && reply.message ? reply.message : data.wordOffline;
        status.setAttribute("data-state", "refused");
      }
    });
  });
})();

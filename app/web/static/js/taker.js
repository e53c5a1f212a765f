/* ProASN CAT — the taker's page.
 *
 * Answers go into a queue kept in localStorage and are sent in order through the JSON API, so
 * the test never waits for the network: while the LAN is down the taker keeps answering and
 * sees how many answers are waiting. The countdown shows the server's remaining time, counted
 * down with the monotonic clock between re-syncs (never the PC's wall clock). The items around
 * the current one are kept, the first batch carried by the page itself and the later ones
 * fetched (app/delivery/prefetch.py: the same policy in Python, which the load bench's page
 * client follows), so moving between them costs no request and also works offline; the page
 * reports where it is with its next save or heartbeat, not with calls of its own. A
 * proctor's action on the attempt or message to the room is pushed (server-sent events:
 * app/delivery/signals.py) and answered with a heartbeat, so a pause stops the clock within
 * a second or two, not at the next quiet interval. Leaving the exam window (another window
 * or tab in front) is counted and told with the next save or heartbeat, for the proctor
 * board (not where the event requires Safe Exam Browser).
 * Offline, a service worker (sw.js) serves the last test page on a reload; the page then
 * restores what it knew from localStorage and the "proasn-exam" cache (see `offline` below).
 *
 * Written for the browsers of old exam PCs (Chrome 109, Firefox ESR 115): no build step, no
 * modules, no inline script (the page's CSP forbids it).
 */
(function () {
  "use strict";

  var LABELS = "ABCDEF";
  var FONT_KEY = "proasn-font-step";

  // --- font size (every taker page) --------------------------------------------------------
  function applyFont(step) {
    document.documentElement.setAttribute("data-font-step", String(step));
  }
  // A large-print participant's pages start at data-font-start (set by the server), unless
  // the taker chose a size in this tab since (or a larger one was kept on this PC). Pages
  // that do not know the participant (the pause's waiting page) keep the tab's start.
  var FONT_OWN_KEY = "proasn-font-own", FONT_START_KEY = "proasn-font-start";
  var startGiven = document.documentElement.getAttribute("data-font-start");
  if (startGiven !== null) sessionStorage.setItem(FONT_START_KEY, startGiven);
  var fontStart = Number(startGiven !== null ? startGiven : sessionStorage.getItem(FONT_START_KEY) || 0);
  var fontStep = Number(localStorage.getItem(FONT_KEY) || 0);
  if (fontStep < fontStart && sessionStorage.getItem(FONT_OWN_KEY) !== "1") fontStep = fontStart;
  applyFont(fontStep);
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-font]") : null;
    if (!button) return;
    fontStep = Math.max(-1, Math.min(4, fontStep + Number(button.getAttribute("data-font"))));
    localStorage.setItem(FONT_KEY, String(fontStep));
    sessionStorage.setItem(FONT_OWN_KEY, "1");
    applyFont(fontStep);
  });

  // --- taker tools (every taker page): high contrast, reading mask; striking options out ----
  // All in the page: none of them sends a request (the load bench sends what the page sends).
  var html = document.documentElement;
  var tools = document.getElementById("taker-tools");
  var CONTRAST_KEY = "proasn-contrast", MASK_KEY = "proasn-reading-mask";

  function setPressed(id, on) {
    var button = document.getElementById(id);
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function applyContrast(on) {
    if (on) html.setAttribute("data-contrast", "high"); else html.removeAttribute("data-contrast");
    setPressed("tool-contrast", on);
  }
  applyContrast(localStorage.getItem(CONTRAST_KEY) === "high");

  // The reading mask darkens the page above and below a band that follows the pointer and
  // the focus; the band itself takes the focus (a vertical slider: arrow keys move it). It
  // sits under the pinned bar, so the clock and the save status stay in view, and lets every
  // click through.
  var mask = null;
  function buildMask() {
    var layer = document.createElement("div");
    layer.id = "reading-mask";
    layer.className = "reading-mask";
    var top = document.createElement("div"), band = document.createElement("div");
    var bottom = document.createElement("div");
    top.className = "mask-shade mask-top";
    bottom.className = "mask-shade mask-bottom";
    band.className = "mask-band";
    band.id = "reading-band";
    band.tabIndex = 0;
    band.setAttribute("role", "slider");
    band.setAttribute("aria-orientation", "vertical");
    band.setAttribute("aria-label", tools ? tools.getAttribute("data-msg-mask") : "");
    band.setAttribute("aria-valuemin", "0");
    band.setAttribute("aria-valuemax", "100");
    layer.appendChild(top); layer.appendChild(band); layer.appendChild(bottom);
    // Right after the bar: in the tab order just after the tools, above the page's content.
    var header = document.querySelector(".taker-bar");
    document.body.insertBefore(layer, header ? header.nextSibling : document.body.firstChild);
    mask = { layer: layer, top: top, band: band, bottom: bottom, y: null };
    band.addEventListener("keydown", function (event) {
      var line = parseFloat(getComputedStyle(html).fontSize) * 1.5;
      var moves = { ArrowUp: -line, ArrowDown: line, PageUp: -band.offsetHeight, PageDown: band.offsetHeight };
      if (event.key === "Escape") {
        toggleMask(false);
        var toggle = document.getElementById("tool-mask");
        if (toggle) toggle.focus();
      } else if (moves[event.key]) moveMask(mask.y + moves[event.key]);
      else if (event.key === "Home") moveMask(0);
      else if (event.key === "End") moveMask(innerHeight);
      else if (!/^Arrow/.test(event.key)) return;  // ← / →: nothing (never another item)
      event.preventDefault();
      event.stopPropagation();  // not the page's own keys (N / P, answers)
    });
  }

  function maskBounds() {
    var header = document.querySelector(".taker-bar");
    var least = header ? header.getBoundingClientRect().bottom : 0;
    return { least: least, most: Math.max(least, innerHeight - mask.band.offsetHeight) };
  }

  function moveMask(y) {  // y: the band's top, in the viewport
    var bounds = maskBounds();
    y = Math.max(bounds.least, Math.min(bounds.most, y));
    mask.y = y;
    mask.top.style.height = y + "px";
    mask.band.style.top = y + "px";
    mask.bottom.style.top = (y + mask.band.offsetHeight) + "px";
    var span = bounds.most - bounds.least;
    mask.band.setAttribute("aria-valuenow", String(span ? Math.round(100 * (y - bounds.least) / span) : 0));
  }

  function centreMask(y) { moveMask(y - mask.band.offsetHeight / 2); }

  function toggleMask(on) {
    if (on && !mask) buildMask();
    if (mask) mask.layer.hidden = !on;
    setPressed("tool-mask", on);
    localStorage.setItem(MASK_KEY, on ? "1" : "0");
    if (on) centreMask(mask.y === null ? innerHeight / 2 : mask.y + mask.band.offsetHeight / 2);
  }
  function maskOn() { return !!mask && !mask.layer.hidden; }
  if (localStorage.getItem(MASK_KEY) === "1") toggleMask(true);

  document.addEventListener("mousemove", function (event) { if (maskOn()) centreMask(event.clientY); });
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!maskOn() || target === mask.band || !target.getBoundingClientRect || target.closest(".taker-bar")) return;
    var box = target.getBoundingClientRect();
    centreMask(box.top + box.height / 2);
  });
  window.addEventListener("resize", function () { if (maskOn()) moveMask(mask.y); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#tool-contrast, #tool-mask") : null;
    if (!button) return;
    var on = button.getAttribute("aria-pressed") !== "true";
    if (button.id === "tool-contrast") {
      localStorage.setItem(CONTRAST_KEY, on ? "high" : "");
      applyContrast(on);
    } else {
      toggleMask(on);
      if (on) mask.band.focus({ preventScroll: true });  // the arrow keys move it at once
    }
  });

  // Striking an option out: a button beside each option (added here, so the item partial
  // and its batches stay as they are). It never changes the answer. On the test page the
  // struck options are kept per attempt and position (localStorage), so they survive moving
  // between items and a reload; on the practice pages they are not kept.
  var strikeRoot = document.getElementById("taker");
  var strikeKey = strikeRoot ? strikeRoot.getAttribute("data-strike-key") : null;
  var struck = {}; // position → option ids struck out
  if (strikeKey) {
    try { struck = JSON.parse(localStorage.getItem(strikeKey) || "{}") || {}; } catch (e) { struck = {}; }
    // One taker per PC: another attempt's strikes are of no use here.
    for (var k = localStorage.length - 1; k >= 0; k--) {
      var name = localStorage.key(k);
      if (name && name.indexOf("proasn-struck-") === 0 && name !== strikeKey) localStorage.removeItem(name);
    }
  }

  function showStruck(label, button, on) {
    label.classList.toggle("struck", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    var note = label.querySelector(".struck-note");
    if (note) note.hidden = !on;
  }

  // Adds the buttons to the item shown (once: the first item's copy the page keeps may hold
  // them already), then shows what is struck out at its position.
  function addStrikeButtons() {
    var item = document.getElementById("item");
    var options = item ? item.querySelector(".options") : null;
    if (!options || !tools) return;
    var mine = struck[item.getAttribute("data-position")] || [];
    if (options.classList.contains("with-strike")) {
      Array.prototype.forEach.call(options.querySelectorAll(".strike"), function (button) {
        showStruck(button.previousElementSibling, button, mine.indexOf(button.getAttribute("data-option")) >= 0);
      });
      return;
    }
    options.classList.add("with-strike");
    Array.prototype.forEach.call(options.querySelectorAll(".option"), function (label) {
      var radio = label.querySelector("input[type=radio]");
      var button = document.createElement("button");
      var name = tools.getAttribute("data-msg-strike").replace("{label}", radio.getAttribute("data-label"));
      button.type = "button";
      button.className = "strike";
      button.setAttribute("data-option", radio.value);
      button.setAttribute("aria-label", name);
      button.title = name;
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "\u2715";
      button.appendChild(mark);
      var note = document.createElement("span");  // said with the option's own name
      note.className = "struck-note visually-hidden";
      note.textContent = " " + tools.getAttribute("data-msg-struck");
      label.appendChild(note);
      label.parentNode.insertBefore(button, label.nextSibling);
      showStruck(label, button, mine.indexOf(radio.value) >= 0);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#item .strike") : null;
    if (!button) return;
    event.preventDefault();
    var position = document.getElementById("item").getAttribute("data-position");
    var option = button.getAttribute("data-option");
    var mine = (struck[position] || []).filter(function (id) { return id !== option; });
    var on = button.getAttribute("aria-pressed") !== "true";
    if (on) mine.push(option);
    if (mine.length) struck[position] = mine; else delete struck[position];
    if (strikeKey) localStorage.setItem(strikeKey, JSON.stringify(struck));
    showStruck(button.previousElementSibling, button, on);
  });
  addStrikeButtons();

  document.addEventListener("click", function (event) {
    var skip = event.target.closest ? event.target.closest(".skip-link") : null;
    var target = skip && document.getElementById((skip.getAttribute("href") || "").slice(1));
    if (!target) return;
    event.preventDefault();
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "center" });
  });

  // --- the service worker: the test page stays available offline (sw.js) ------------------
  var OFFLINE_CACHE = "proasn-exam";
  var canKeep = !!(window.caches && navigator.serviceWorker && window.isSecureContext);
  if (canKeep) {
    var worker = document.querySelector("meta[name=proasn-service-worker]");
    if (worker) {
      navigator.serviceWorker.register(worker.getAttribute("content"), { scope: "/ujian/", updateViaCache: "all" })
        .then(null, function () { /* not fatal: the page works online without it */ });
    }
    // Where an attempt begins or ends nothing of it stays on the PC (shared exam PCs).
    if (document.querySelector("[data-clear-offline]")) caches.delete(OFFLINE_CACHE);
  }
  if (document.querySelector("[data-clear-offline]")) {  // what a stored page would need
    Object.keys(localStorage).forEach(function (key) {
      if (/^proasn-queue-.*:(known|clock|pages)$/.test(key)) localStorage.removeItem(key);
    });
  }
  // The finished page: the taker's queue, its sequence counter and the options struck out go
  // too (shared PCs), but only when no answer waits in the queue. One left there is kept: a
  // proctor's backdated room pause may reopen an attempt the timer closed during an outage,
  // and the queue is sent when the taker is back in the test.
  var finishedBy = document.querySelector("[data-clear-taker]");
  if (finishedBy) {
    var finishedQueue = finishedBy.getAttribute("data-clear-taker"), unsent = [];
    try { unsent = JSON.parse(localStorage.getItem(finishedQueue) || "[]") || []; } catch (e) { unsent = []; }
    if (!unsent.length) {
      localStorage.removeItem(finishedQueue);
      localStorage.removeItem(finishedQueue + ":seq");
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("proasn-struck-") === 0) localStorage.removeItem(key);
      });
    }
  }

  function readJson(response) {
    return response.json().then(
      function (body) { return { status: response.status, body: body }; },
      function () { return { status: response.status, body: {} }; });
  }

  function itemEl() { return document.getElementById("item"); }
  function radios() { return itemEl() ? itemEl().querySelectorAll("input[type=radio]") : []; }
  function flagBox() { return itemEl() ? itemEl().querySelector("input[type=checkbox]") : null; }

  function markChosen() {
    Array.prototype.forEach.call(radios(), function (radio) {
      var label = radio.closest(".option");
      if (label) label.classList.toggle("chosen", radio.checked);
    });
  }
  document.addEventListener("change", markChosen);

  function chooseIndex(index) {
    var options = radios();
    if (index < options.length && !options[index].disabled) {
      options[index].checked = true;
      options[index].dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function toggleFlag() {
    var box = flagBox();
    if (!box || box.disabled) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // --- the server's clock, in the pinned bar of every page of the attempt ----------------
  // The server's remaining seconds counted down on the monotonic clock (the PC's own clock
  // is never used); the test page re-syncs it with every save and heartbeat.
  var bar = document.getElementById("attempt-clock");
  var clock = bar ? {
    total: Number(bar.dataset.remaining),
    section: bar.dataset.sectionRemaining === "" ? null : Number(bar.dataset.sectionRemaining),
    at: performance.now(),
    paused: bar.dataset.paused === "1"  // the test page learns it from its heartbeat
  } : null;
  var timeMsg = bar ? {
    warn10: bar.dataset.msgWarn10, warn5: bar.dataset.msgWarn5,
    sectionWarn10: bar.dataset.msgSectionWarn10, sectionWarn5: bar.dataset.msgSectionWarn5,
    saving: bar.dataset.msgSaving, saved: bar.dataset.msgSaved, queued: bar.dataset.msgQueued
  } : {};
  // The pause screen covers the page (the test page and the submit page). What lies under it
  // is made inert (no focus, no click, not read out): nothing can be answered, flagged or
  // submitted, and Tab stays on the screen. The focus goes to the screen and, at the resume,
  // back where it was. (Browsers without `inert` still get no answer keys: the key handler
  // checks the pause too.)
  var pauseShown = false, focusBeforePause = null;
  function showPause(paused) {
    var screen = document.getElementById("paused");
    if (!screen) return;
    screen.hidden = !paused;
    if (paused === pauseShown) return;
    pauseShown = paused;
    for (var node = screen; node.parentNode && node !== document.body; node = node.parentNode) {
      Array.prototype.forEach.call(node.parentNode.children, function (sibling) {
        if (sibling === node || sibling.tagName === "SCRIPT") return;
        if (paused) sibling.setAttribute("inert", ""); else sibling.removeAttribute("inert");
      });
    }
    if (paused) {
      focusBeforePause = document.activeElement;
      screen.setAttribute("tabindex", "-1");
      screen.focus({ preventScroll: true });
      return;
    }
    var back = focusBeforePause;
    focusBeforePause = null;
    if (back && back !== document.body && document.body.contains(back)) back.focus({ preventScroll: true });
    else if (document.activeElement === screen) screen.blur();
  }

  var timeUpAfter = bar ? (Number(bar.dataset.grace || 3) + 1.5) * 1000 : 0;
  var announced = {};
  var onTick = []; // the test page's own work on every tick

  function left() {
    var elapsed = clock.paused ? 0 : (performance.now() - clock.at) / 1000;
    return {
      total: Math.max(0, clock.total - elapsed),
      section: clock.section === null ? null : Math.max(0, clock.section - elapsed)
    };
  }

  function format(seconds) {
    var s = Math.ceil(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (h ? h + ":" : "") + two(m) + ":" + two(s % 60);
  }

  // Said once per page by the bar's live region (and shown beside the clock for 20 s).
  function announceOnce(key, condition, text) {
    if (!condition || announced[key]) return;
    announced[key] = true;
    var region = document.getElementById("time-notice");
    region.textContent = text;
    clearTimeout(announceOnce.timer);
    announceOnce.timer = setTimeout(function () { region.textContent = ""; }, 20000);
  }

  var finishing = false;
  function timeUp(whole) {
    if (finishing) return;
    finishing = true;
    // Give queued answers the server's grace to arrive, then let the server say what is next.
    // (+1.5 s: the server's remaining seconds are whole, so zero here may come up to a second
    // early; within the grace the server would show the test page again.) The whole test's
    // zero goes to the finished page, which closes the attempt: one request, not a resume and
    // its redirect, from every page of a room in the same second; it sends the page back to
    // the test if the proctor added time meanwhile.
    var next = whole ? "/ujian/selesai" : "/ujian/lanjut";
    setTimeout(function () { window.location.href = next; }, timeUpAfter);
  }

  function showTime(id, seconds) {
    var shown = document.getElementById(id);
    if (!shown || seconds === null) return;
    shown.textContent = format(seconds);
    // The last 5 minutes in the urgent colour (the timer element is the coloured box).
    var box = shown.closest(".timer");
    if (seconds <= 300) box.setAttribute("data-urgent", "");
    else box.removeAttribute("data-urgent");
  }

  function tick() {
    var now = left();
    showTime("clock", now.total);
    showTime("section-clock", now.section);
    // "10 minutes left" only near that mark: a page loaded with 5:04 left says nothing of 10.
    announceOnce("t10", now.total <= 600 && now.total > 480, timeMsg.warn10);
    announceOnce("t5", now.total <= 300 && now.total > 0, timeMsg.warn5);
    if (now.section !== null) {
      announceOnce("s10", now.section <= 600 && now.section > 480, timeMsg.sectionWarn10);
      announceOnce("s5", now.section <= 300 && now.section > 0, timeMsg.sectionWarn5);
    }
    if (!clock.paused && (now.total <= 0 || (now.section !== null && now.section <= 0))) timeUp(now.total <= 0);
    onTick.forEach(function (work) { work(); });
  }

  var root = document.getElementById("taker");
  var nav = null; // set on the item page

  // --- keyboard (practice and test) -----------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (!itemEl() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (clock && clock.paused) return;  // under the pause screen nothing answers or moves
    var target = event.target;
    if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text"))) return;
    var key = event.key;
    var upper = key.length === 1 ? key.toUpperCase() : key;
    var index = LABELS.indexOf(upper);
    if (index < 0 && /^[1-6]$/.test(key)) index = Number(key) - 1;
    if (index >= 0 && key.length === 1) { chooseIndex(index); event.preventDefault(); return; }
    if (upper === "R") { toggleFlag(); event.preventDefault(); return; }
    if (!nav) return;
    // On an option the arrow keys are the browser's own (to the next option), not a move.
    if (/^Arrow/.test(key) && target && target.type === "radio") return;
    if (key === "ArrowRight" || upper === "N") { nav.go(nav.current() + 1); event.preventDefault(); }
    if (key === "ArrowLeft" || upper === "P") { nav.go(nav.current() - 1); event.preventDefault(); }
  });

  // --- submit page: answers still queued are sent before the test can be submitted ------
  var pending = document.getElementById("pending");
  if (pending) {
    var waiting = [];
    try { waiting = JSON.parse(localStorage.getItem(pending.dataset.queueKey) || "[]") || []; } catch (e) { waiting = []; }
    var pageStatus = document.getElementById("save-status");
    if (waiting.length && pageStatus) {
      pageStatus.textContent = timeMsg.saving;
      pageStatus.setAttribute("data-state", "saving");
    }
    if (waiting.length) {
      var confirmButton = document.getElementById("confirm-submit");
      confirmButton.disabled = true;
      pending.hidden = false;
      var sendNext = function () {
        if (!waiting.length) {
          localStorage.setItem(pending.dataset.queueKey, "[]");
          window.location.reload(); // the server now lists the right items
          return;
        }
        var entry = waiting[0];
        fetch("/api/v1/taker/answers/" + entry.position, {
          method: "PUT", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify({ option_id: entry.option_id, flagged: entry.flagged, seq: entry.seq })
        }).then(function (response) {
          if (response.status >= 500 || response.status === 423) throw new Error("retry");
          waiting.shift();
          localStorage.setItem(pending.dataset.queueKey, JSON.stringify(waiting));
          sendNext();
        }).catch(function () { setTimeout(sendNext, 2000); });
      };
      sendNext();
    }
  }

  // --- submitting (or finishing a section) while the network is down ---------------------
  // It would only show the browser's error page ("no internet"): the page says so instead
  // and stays; it can be sent once the network is back (the note then goes).
  function offlineSubmit(event) {
    var note = document.getElementById("offline-submit");
    if (!note || navigator.onLine !== false) return;
    event.preventDefault();
    note.textContent = note.getAttribute("data-msg");
    note.hidden = false;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#submit-link")) offlineSubmit(event);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("main")) offlineSubmit(event);
  });
  window.addEventListener("online", function () {
    var note = document.getElementById("offline-submit");
    if (note) note.hidden = true;
  });

  // --- waiting for the proctor (a pause, or admission): on, once the wait is over ---------
  if (document.getElementById("waiting")) {
    setInterval(function () {
      fetch("/api/v1/taker/state", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(readJson).then(function (result) {
          if (result.status === 401) window.location.href = "/ujian";
          else if (result.status === 200 && result.body.status !== "paused") window.location.href = "/ujian/lanjut";
        }, function () { /* offline: ask again later */ });
    }, 5000);
  }

  // --- waiting for the proctor's answer to a login reset request: reload once answered ------
  var resetWait = document.getElementById("reset-wait");
  if (resetWait) {
    setInterval(function () {
      fetch(resetWait.getAttribute("data-status"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(readJson).then(function (result) {
          if (result.status === 200 && result.body.status !== "pending") window.location.reload();
        }, function () { /* offline: ask again later */ });
    }, 3000);
  }

  // --- the submit page: the clock, and a pause shown here as on the test page ------------
  var confirmSubmit = document.getElementById("confirm-submit");
  if (bar && !root && confirmSubmit) {
    var queueHeld = confirmSubmit.disabled; // answers still being sent (above)
    var pausedHere = function (paused) {
      if (paused !== clock.paused) {
        var now = left();
        clock.total = now.total; clock.section = now.section; clock.at = performance.now();
      }
      clock.paused = paused;
      showPause(paused);
      confirmSubmit.disabled = paused || queueHeld;
    };
    var askState = function () {
      fetch("/api/v1/taker/heartbeat", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ position: null })
      }).then(readJson).then(function (result) {
        if (result.status !== 200) return;
        if (result.body.status === "submitted") { window.location.href = "/ujian/selesai"; return; }
        if (result.body.remaining_seconds !== null && result.body.remaining_seconds !== undefined) {
          clock.total = result.body.remaining_seconds;
          clock.section = result.body.section_remaining_seconds === undefined ? clock.section : result.body.section_remaining_seconds;
          clock.at = performance.now();
        }
        pausedHere(result.body.status === "paused");
        tick();
      }, function () { /* offline: the clock goes on; asked again at the next signal */ });
    };
    pausedHere(clock.paused);
    // Pushed as on the test page (a proctor's action on this attempt); while paused, asked
    // every 3 s as well, so the end of a pause shows even if the stream was cut.
    if (window.EventSource) {
      new EventSource(bar.dataset.signals).addEventListener("change", askState);
    }
    setInterval(function () { if (clock.paused) askState(); }, 3000);
  }
  if (bar && !root) { tick(); setInterval(tick, 500); } // the submit page: the clock only
  if (!root) return; // login, instructions, practice, submit: nothing more to do

  // The page as the server sent it, before this script changes anything: kept for a reload
  // while offline (sw.js serves it then).
  var pageHtml = canKeep ? "<!doctype html>\n" + document.documentElement.outerHTML : null;

  var cfg = {
    total: Number(root.dataset.total),
    first: Number(root.dataset.first),
    last: Number(root.dataset.last),
    sequential: root.dataset.sequential === "1",
    heartbeat: Number(root.dataset.heartbeat || 15) * 1000,
    batch: Number(root.dataset.batch || 22),
    refill: Number(root.dataset.refill || 10),
    signalDelay: Number(root.dataset.signalDelay || 0) * 1000,
    reportLeaves: root.dataset.reportLeaves === "1",
    adaptive: root.dataset.adaptive === "1",
    queueKey: root.dataset.queueKey
  };
  var msg = {
    saving: timeMsg.saving, saved: timeMsg.saved, queued: timeMsg.queued,
    refused: root.dataset.msgRefused, paused: root.dataset.msgPaused, loggedOut: root.dataset.msgLoggedout,
    otherTab: root.dataset.msgOtherTab, extraTime: root.dataset.msgExtraTime,
    notLoaded: root.dataset.msgNotLoaded, pausedQueued: root.dataset.msgPausedQueued,
    chooseFirst: root.dataset.msgChooseFirst, choosing: root.dataset.msgChoosing,
    nextOffline: root.dataset.msgNextOffline, keptSignedOut: root.dataset.msgKeptLoggedout
  };

  function warn(text) {
    var box = document.getElementById("warning");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(warn.timer);
    warn.timer = setTimeout(function () { box.hidden = true; }, 20000);
  }

  function unwarn(text) {  // a warning the taker has since acted on goes
    var box = document.getElementById("warning");
    if (!box.hidden && box.textContent === text) { box.hidden = true; clearTimeout(warn.timer); }
  }

  // --- offline: what the page knew, kept across a reload -----------------------------------
  // Every page the server builds starts its sequence numbers at a base of its own (later
  // pages higher). A base seen before means this page is the stored copy that sw.js served
  // while offline: its clock, answers and numbering are as old as the copy, so the page
  // takes them from what it kept in localStorage instead.
  var pageSeq = Number(root.dataset.seqBase);
  var KEPT = { pages: cfg.queueKey + ":pages", seq: cfg.queueKey + ":seq",
               known: cfg.queueKey + ":known", clock: cfg.queueKey + ":clock" };
  function readKept(key, fallback) {
    try { var value = JSON.parse(localStorage.getItem(key)); return value === null ? fallback : value; }
    catch (e) { return fallback; }
  }
  var seenPages = readKept(KEPT.pages, []);
  var replayed = seenPages.indexOf(pageSeq) >= 0;
  if (!replayed) localStorage.setItem(KEPT.pages, JSON.stringify(seenPages.concat([pageSeq]).slice(-20)));
  var ITEM_KEY = "/ujian/soal/_simpan/"; // an item the page fetched, in the offline cache
  var PAGE_KEY = "/ujian/soal/_halaman"; // the page itself (sw.js serves it offline)

  // --- leaving the exam window (not under Safe Exam Browser, which locks it) --------------
  // One leave (the window loses the focus, the tab is hidden: often both) counts once, its
  // seconds when the page is back. What is not reported yet travels with the next save or
  // heartbeat (no request of its own, so the load bench's mix stays the page's) and is kept
  // until a reply says it arrived; one call at a time carries it.
  var away = { since: null, count: 0, seconds: 0, sending: null };
  function leave() {
    if (!cfg.reportLeaves || away.since !== null) return;
    away.since = performance.now();
    away.count += 1;
  }
  function back() {
    if (away.since === null) return;
    away.seconds += (performance.now() - away.since) / 1000;
    away.since = null;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave(); else back();
  });
  window.addEventListener("blur", leave);
  window.addEventListener("focus", back);

  function leaveReport() {  // what the next call carries, or null
    if (away.sending || (!away.count && away.seconds < 1)) return null;
    away.sending = { count: away.count, seconds: Math.floor(away.seconds) };
    return away.sending;
  }
  function leaveReported(report, arrived) {
    if (!report || away.sending !== report) return;
    away.sending = null;
    if (!arrived) return;
    away.count -= report.count;
    away.seconds -= report.seconds;
  }

  // --- the answer queue ---------------------------------------------------------------------
  // Sequence numbers never go back, not even on a stored page: a lower one would lose to
  // the answer it replaces.
  var seq = Math.max(pageSeq, Number(localStorage.getItem(KEPT.seq) || 0));
  var queue = [];
  try { queue = JSON.parse(localStorage.getItem(cfg.queueKey) || "[]") || []; } catch (e) { queue = []; }
  queue.forEach(function (entry) { if (entry.seq > seq) seq = entry.seq; });
  var known = readKept(KEPT.known, {}); // position → the newest answer given on this PC
  var local = {}; // position → {option_id, flagged} chosen on this PC, newest wins
  if (replayed) Object.keys(known).forEach(function (position) { local[position] = known[position]; });
  queue.forEach(function (entry) {
    if (!local[entry.position] || local[entry.position].seq <= entry.seq) local[entry.position] = entry;
  });
  var sending = false, retryTimer = null, backoff = 1000, stopped = false;
  var signedOut = false; // the login cookie is gone: the queue waits for a new login
  // When the server last answered: a save's reply carries what a heartbeat's does (clock,
  // proctor's message; a pause refuses it), so the timer beats only after a quiet interval.
  var lastContact = performance.now(); // the page itself came from the server just now

  function persist() { localStorage.setItem(cfg.queueKey, JSON.stringify(queue)); }

  function showStatus() {
    var status = document.getElementById("save-status");
    if (!status) return;
    if (signedOut && queue.length) {  // held by the lost login, not by the network
      status.textContent = msg.keptSignedOut.replace("{n}", String(queue.length));
      status.setAttribute("data-state", "waiting");
    } else if (adaptiveWait && !clock.paused) {  // an adaptive answer: a short wait, not an error
      status.textContent = sending ? msg.choosing : msg.nextOffline;
      status.setAttribute("data-state", sending ? "saving" : "waiting");
    } else if (queue.length && clock.paused) {  // held by the pause, not by the network
      status.textContent = msg.pausedQueued.replace("{n}", String(queue.length));
      status.setAttribute("data-state", "paused");
    } else if (queue.length && !sending) {
      status.textContent = msg.queued.replace("{n}", String(queue.length));
      status.setAttribute("data-state", "queued");
    } else if (queue.length) {
      status.textContent = msg.saving;
      status.setAttribute("data-state", "saving");
    } else {
      status.textContent = msg.saved;
      status.setAttribute("data-state", "saved");
    }
  }

  function enqueue(position, optionId, flagged) {
    seq += 1;
    var entry = { position: position, option_id: optionId, flagged: flagged, seq: seq };
    queue.push(entry);
    local[position] = entry;
    known[position] = entry;
    persist();
    localStorage.setItem(KEPT.seq, String(seq));
    localStorage.setItem(KEPT.known, JSON.stringify(known));
    updateCell(position);
    flush();
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, backoff);
    backoff = Math.min(backoff * 2, 8000);
    showStatus();
  }

  function flush() {
    if (sending || stopped || clock.paused || !queue.length) { showStatus(); return; }
    sending = true;
    showStatus();
    var entry = queue[0];
    var body = { option_id: entry.option_id, flagged: entry.flagged, seq: entry.seq,
                 shown: !!nav && nav.current() === entry.position };
    var report = leaveReport();
    if (report) body.left_window = report;
    fetch("/api/v1/taker/answers/" + entry.position, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(readJson).then(function (result) {
      sending = false;
      leaveReported(report, result.status >= 200 && result.status < 300);
      if (result.status >= 200 && result.status < 300) {
        queue.shift(); persist(); backoff = 1000; syncClock(result.body);
        if (body.shown) reportedAt = entry.position;
        lastContact = performance.now();
        showBroadcast(result.body && result.body.broadcast);
        // A closed section (its next position is null when the test was submitted with it)
        // goes on as the server says.
        if (result.body && (result.body.next_position || result.body.section_closed)) { adaptiveNext(result.body); return; }
        if (result.body && result.body.applied === false && local[entry.position] === entry) {
          // A newer answer (another tab) is stored: show what the server keeps.
          local[entry.position] = { position: entry.position, option_id: result.body.option_id,
                                    flagged: result.body.flagged, seq: result.body.seq };
          known[entry.position] = local[entry.position];
          localStorage.setItem(KEPT.known, JSON.stringify(known));
          updateCell(entry.position);
          if (itemEl() && Number(itemEl().dataset.position) === entry.position) applyLocal(entry.position);
          warn(msg.otherTab);
        }
        flush(); return;
      }
      if (result.status === 401) { loggedOut(); return; }
      if (result.status === 423) {
        // Paused by the proctor: show it now, and ask for the server's (stopped) clock; the
        // queue waits for the resume, which a heartbeat brings.
        setPaused(true); showStatus(); beat(nav.current()); return;
      }
      if (result.body && result.body.code === "awaiting_admission") { warn(result.body.message); retryLater(); return; }
      if (result.status >= 500 || result.status === 429) { retryLater(); return; }
      // Refused for good (time up, submitted, forged): drop it and say so.
      queue.shift(); persist();
      warn((result.body && result.body.message) || msg.refused);
      if (adaptiveWait !== null) {  // the server's current item is another: show it
        stopped = true;
        setTimeout(function () { window.location.href = "/ujian/lanjut"; }, 3000);
        return;
      }
      if (result.body && (result.body.code === "deadline_passed" || result.body.code === "attempt_submitted")) {
        stopped = true;
        setTimeout(function () { window.location.href = "/ujian/selesai"; }, 3000);
      }
      flush();
    }, function () { sending = false; leaveReported(report, false); retryLater(); });
  }

  // Back online: the queue goes at once, and a heartbeat tells the server where the page
  // is (moving between kept items sends nothing, so a resume would otherwise land on the
  // item the server last heard of).
  window.addEventListener("online", function () {
    backoff = 1000; flush(); beat(nav.current());
    if (later !== null) { var asked = later; later = null; nav.go(asked); }
  });

  document.addEventListener("change", function (event) {
    var item = itemEl();
    if (!item || !item.contains(event.target) || item.hasAttribute("data-practice")) return;
    if (item.hasAttribute("data-adaptive")) { unwarn(msg.chooseFirst); return; }  // sent with "Answer and go on"
    var position = Number(item.dataset.position);
    var chosen = item.querySelector("input[type=radio]:checked");
    enqueue(position, chosen ? chosen.value : null, flagBox() ? flagBox().checked : false);
  });

  // --- an adaptive section: one item at a time, the next chosen by the server ---------------
  // The answer goes through the queue like any other (offline it waits there); its reply
  // names the item chosen next, which the page then fetches and shows (the prefetch could
  // not know it). The section closed on the server: the page reloads into the next one.
  var adaptiveWait = null; // the position whose answer awaits the next item
  function holdItem() {  // the item shown waits for the next one: nothing on it answers
    adaptiveWait = nav.current();
    var button = itemEl().querySelector("[data-adaptive-answer]");
    if (button) button.disabled = true;
    Array.prototype.forEach.call(radios(), function (radio) { radio.disabled = true; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-adaptive-answer]") : null;
    if (!button || !itemEl() || adaptiveWait !== null) return;
    var chosen = itemEl().querySelector("input[type=radio]:checked");
    if (!chosen) { warn(msg.chooseFirst); return; }
    unwarn(msg.chooseFirst);
    holdItem();
    enqueue(adaptiveWait, chosen.value, false);
  });

  function queued(position) {
    return queue.some(function (entry) { return entry.position === position; });
  }

  // An adaptive item answered on this PC never takes an answer again (the server has moved on,
  // or will when the queued answer arrives): it shows its answer and the wait. A stored page
  // replayed offline may be of such an item (the page stored is the section's first item's
  // load; the items after it came without one), or its address may name one.
  function holdIfAnswered() {
    if (!cfg.adaptive || !itemEl()) return;
    var position = nav.current(), mine = known[position];
    if (queued(position) || (replayed && mine && mine.option_id)) holdItem();
    else adaptiveWait = null;
    showStatus();
  }

  // Held with nothing queued (its answer arrived, the next item did not: a replayed page), once
  // the server answers again: the server's current item, by a page load.
  function adaptiveResume() {
    if (adaptiveWait === null || stopped || queued(adaptiveWait)) return;
    stopped = true;
    window.location.href = "/ujian/lanjut";
  }

  // The grid lists the section's items given so far: the answered ones locked, the current one
  // a link. Item n of the section sits at its n-th position, so every position from the
  // grid's link (a stored page's may be some items back) up to `position` was given.
  function adaptiveGrid(position) {
    var link = document.querySelector(".grid a[data-nav]");
    var from = link ? Number(link.getAttribute("data-nav")) : position;
    if (from >= position) return;
    var cell = link.parentNode;
    for (var p = from; p <= position; p++) {
      var added = document.createElement("li");
      added.innerHTML = p < position ? '<span class="cell locked answered">' + p + "</span>"
        : '<a href="/ujian/soal/' + p + '" data-nav="' + p + '" class="cell empty">' + p + "</a>";
      cell.parentNode.insertBefore(added, cell);
    }
    cell.parentNode.removeChild(cell);
    updateCell(position);
  }

  function adaptiveNext(body) {
    adaptiveWait = null;
    showStatus();
    if (body.section_closed) { stopped = true; window.location.href = "/ujian/lanjut"; return; }
    var next = body.next_position;
    adaptiveGrid(next);
    cfg.first = cfg.last = next;
    nav.go(next);
    flush();
  }

  // --- the grid and moving between items ----------------------------------------------------
  function updateCell(position) {
    var cell = document.querySelector('.grid [data-nav="' + position + '"]');
    var state = local[position];
    if (!cell || !state) return;
    cell.classList.remove("answered", "flagged", "empty");
    cell.classList.add(state.flagged ? "flagged" : (state.option_id ? "answered" : "empty"));
  }

  function applyLocal(position) {
    var state = local[position];
    if (!state) return;
    Array.prototype.forEach.call(radios(), function (radio) { radio.checked = radio.value === state.option_id; });
    if (flagBox()) flagBox().checked = !!state.flagged;
    markChosen();
  }

  // --- the items the page keeps (prefetch.py's policy) -------------------------------------
  var cache = {};     // position → the item's HTML
  var requested = {}; // position → asked for, reply pending
  var wanted = null;  // the position to show when its batch arrives

  function have(position) { return !!cache[position] || !!requested[position]; }

  function batchesFor(position) {
    var behind = Math.max(cfg.first, position - 1);
    var fresh = behind < position && !have(behind) && !have(Math.min(cfg.last, position + 1));
    if (!have(position) || fresh) return [[behind, Math.min(cfg.last, behind + cfg.batch - 1)]];
    var batches = [];
    for (var ahead = position + 1; ahead <= Math.min(cfg.last, position + cfg.refill); ahead++) {
      if (!have(ahead)) { batches.push([ahead, Math.min(cfg.last, ahead + cfg.batch - 1)]); break; }
    }
    if (behind < position && !have(behind)) {
      batches.push([Math.max(cfg.first, position - cfg.batch + 1), behind]);
    }
    return batches;
  }

  function fetchBatch(range) {
    var p;
    for (p = range[0]; p <= range[1]; p++) requested[p] = true;
    function done() { for (p = range[0]; p <= range[1]; p++) delete requested[p]; }
    fetch("/ujian/paket-soal?dari=" + range[0] + "&sampai=" + range[1], {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (response.status === 401) { loggedOut(); throw new Error("logged out"); }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      done();
      if (html === null) { fromKept(range); return; }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fetched = {};
      Array.prototype.forEach.call(holder.querySelectorAll("article[data-position]"), function (item) {
        var position = Number(item.getAttribute("data-position"));
        fetched[position] = item.outerHTML;
        if (!cache[position]) cache[position] = item.outerHTML;
      });
      keep(fetched);
      arrived(range);
    }, function () { done(); fromKept(range); });
  }

  function arrived(range) {
    if (wanted !== null && cache[wanted]) { var go = wanted; wanted = null; show(go); }
    else if (wanted !== null && wanted >= range[0] && wanted <= range[1]) unwanted();
  }

  // Items fetched are also kept in the offline cache, for a reload while offline.
  function keep(items) {
    if (!canKeep) return;
    caches.open(OFFLINE_CACHE).then(function (store) {
      Object.keys(items).forEach(function (position) {
        store.put(ITEM_KEY + position, new Response(items[position], { headers: { "Content-Type": "text/html" } }));
      });
    }).then(null, function () { /* a full disk: the page still has them in memory */ });
  }

  function fromKept(range) {  // the network failed: take what the offline cache holds
    if (!canKeep) { arrived(range); return; }
    caches.open(OFFLINE_CACHE).then(function (store) {
      var reads = [];
      for (var p = range[0]; p <= range[1]; p++) {
        reads.push(store.match(ITEM_KEY + p).then(function (found) { return found ? found.text() : null; }));
      }
      return Promise.all(reads);
    }).then(function (texts) {
      texts.forEach(function (text, i) { if (text && !cache[range[0] + i]) cache[range[0] + i] = text; });
      arrived(range);
    }, function () { arrived(range); });
  }

  var later = null; // the item asked for while the network was down: opened when it is back
  function unwanted() {  // the item asked for could not come (offline, or not reachable)
    if (wanted === null) return;
    later = wanted;
    wanted = null;
    warn(msg.notLoaded);
  }

  function prefetchFor(position) { batchesFor(position).forEach(fetchBatch); }

  // The page's first batch came with it (app/delivery/prefetch.py `page_batch`, in an inert
  // <template>): kept as a fetched batch is, so the page's load asks for none.
  function carriedItems() {
    var carried = {}, holder = document.getElementById("kept-items");
    if (!holder || !holder.content) return carried;
    Array.prototype.forEach.call(holder.content.querySelectorAll("article[data-position]"), function (item) {
      carried[Number(item.getAttribute("data-position"))] = item.outerHTML;
    });
    return carried;
  }
  var carried = carriedItems();
  Object.keys(carried).forEach(function (position) {
    if (!cache[position]) cache[position] = carried[position];
  });

  function show(position, fromHistory) {
    var holder = document.createElement("div");
    holder.innerHTML = cache[position];
    var fresh = holder.querySelector("#item");
    if (!fresh) { window.location.href = "/ujian/soal/" + position; return; }
    itemEl().replaceWith(fresh);
    addStrikeButtons();
    nameSection(fresh.dataset.section);
    later = null;
    unwarn(msg.notLoaded);
    document.title = document.title.replace(/\d+/, String(position));
    // A kept item shows the answer stored when it was fetched; a newer one given here wins.
    var mine = known[position];
    if (mine && mine.seq > Number(fresh.dataset.seq || 0) && (!local[position] || local[position].seq < mine.seq)) {
      local[position] = mine;
    }
    applyLocal(position);
    if (cfg.adaptive) { adaptiveGrid(position); holdIfAnswered(); }
    updateNav(position);
    if (!fromHistory) history.pushState({ position: position }, "", "/ujian/soal/" + position);
    prefetchFor(position);
    var heading = fresh.querySelector(".item-number");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function nameSection(section) {  // the heading names the shown item's section
    var name = document.querySelector('#section-names [data-section="' + section + '"]');
    if (name) document.getElementById("section-name").textContent = name.textContent;
  }

  nav = {
    current: function () { return Number(itemEl().dataset.position); },
    go: function (position, fromHistory) {
      if (position < cfg.first || position > cfg.last || clock.paused) return;
      if (cache[position]) { wanted = null; show(position, fromHistory); return; }
      wanted = position;  // shown when its batch arrives
      prefetchFor(position);
    }
  };

  function updateNav(position) {
    var prev = document.getElementById("prev"), next = document.getElementById("next");
    prev.href = "/ujian/soal/" + (position - 1);
    next.href = "/ujian/soal/" + (position + 1);
    prev.hidden = position <= cfg.first;
    next.hidden = position >= cfg.last;
    // The submit page's way back leads to this item (the server may not know it yet).
    document.getElementById("submit-link").href = "/ujian/kumpulkan?dari=" + position;
    Array.prototype.forEach.call(document.querySelectorAll(".grid [data-nav]"), function (cell) {
      if (Number(cell.getAttribute("data-nav")) === position) cell.setAttribute("aria-current", "page");
      else cell.removeAttribute("aria-current");
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-nav], #prev, #next") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var match = /\/ujian\/soal\/(\d+)$/.exec(link.getAttribute("href") || "");
    if (!match) return;
    event.preventDefault();
    if (cfg.adaptive) return;  // the current item only: nowhere else to go
    nav.go(Number(match[1]));
  });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.position) nav.go(event.state.position, true);
  });

  // --- the server's clock (re-synced by every reply) -------------------------------------
  function syncClock(body) {
    if (!body || body.remaining_seconds === undefined || body.remaining_seconds === null) return;
    if (body.remaining_seconds > left().total + 30) warn(msg.extraTime); // proctor added time
    clock.total = body.remaining_seconds;
    clock.section = body.section_remaining_seconds === undefined ? clock.section : body.section_remaining_seconds;
    clock.at = performance.now();
    keepClock();
  }

  // The last server time the page had, for a stored page replayed offline: the PC's clock
  // only bridges that reload (shown, never decisive: the server's deadline is the one that
  // counts) until the first reply re-syncs it.
  function keepClock() {
    var now = left();
    localStorage.setItem(KEPT.clock, JSON.stringify(
      { total: now.total, section: now.section, paused: clock.paused, wall: Date.now() }));
  }

  function setPaused(paused) {
    if (paused !== clock.paused) {
      // Stop (or restart) the countdown where it stands; the heartbeat's reply gives the
      // server's value (a pause may be backdated to when an outage began).
      var now = left();
      clock.total = now.total;
      clock.section = now.section;
      clock.at = performance.now();
    }
    clock.paused = paused;
    keepClock();
    if (paused) showPause(true);  // the focus is taken before the options are disabled
    Array.prototype.forEach.call(radios(), function (radio) { radio.disabled = paused || adaptiveWait !== null; });
    if (flagBox()) flagBox().disabled = paused;
    if (!paused) showPause(false);  // and given back once they are not
  }

  // --- the proctor's message: its time, a close button, gone at its expiry ----------------
  var CLOSED_KEY = "proasn-broadcast-closed";
  var closedNotices = [];
  try { closedNotices = JSON.parse(sessionStorage.getItem(CLOSED_KEY) || "[]") || []; } catch (e) { closedNotices = []; }
  var notice = { id: null, until: 0 };
  onTick.push(function () { if (notice.id && performance.now() >= notice.until) hideBroadcast(); });

  function hideBroadcast() {
    var box = document.getElementById("broadcast");
    if (box) box.hidden = true;
    notice.id = null;
  }

  // `message`: the server's latest message this attempt may show (sent since it began, not
  // expired), or none. Its lifetime is counted on the monotonic clock, as the countdown is.
  function showBroadcast(message) {
    var box = document.getElementById("broadcast");
    if (!box) return;
    if (!message || closedNotices.indexOf(message.id) >= 0) { hideBroadcast(); return; }
    document.getElementById("broadcast-text").textContent = message.message;
    document.getElementById("broadcast-time").textContent = message.sent_at;
    notice.id = message.id;
    notice.until = performance.now() + message.expires_in * 1000;
    box.hidden = false;
  }

  // Closing it gives the focus back where it was before it went to the message (else to the
  // item's heading), not to the page's start.
  var focusOutside = null;
  document.addEventListener("focusin", function (event) {
    var box = document.getElementById("broadcast");
    if (box && !box.contains(event.target) && event.target !== document.getElementById("paused")) focusOutside = event.target;
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#broadcast-close") || !notice.id) return;
    closedNotices = closedNotices.concat([notice.id]).slice(-20);
    sessionStorage.setItem(CLOSED_KEY, JSON.stringify(closedNotices));
    hideBroadcast();
    var back = focusOutside;
    if (!back || !document.body.contains(back) || !back.getClientRects().length) {
      back = itemEl() && itemEl().querySelector(".item-number");
      if (back) back.setAttribute("tabindex", "-1");
    }
    if (back) back.focus();
  });

  function loggedOut() {
    stopped = true;
    signedOut = true;
    if (signals) signals.close();
    warn(msg.loggedOut);
    showStatus();
  }

  function beat(position) {
    var body = { position: position || null };
    var report = leaveReport();
    if (report) body.left_window = report;
    fetch("/api/v1/taker/heartbeat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(readJson).then(function (result) {
      leaveReported(report, result.status === 200);
      if (result.status === 401) { loggedOut(); return; }
      if (result.status !== 200) return;
      lastContact = performance.now();
      if (position) reportedAt = position;
      var wasPaused = clock.paused;
      syncClock(result.body);
      setPaused(result.body.status === "paused");
      tick();
      if (result.body.status === "submitted") {
        if (signals) signals.close();
        window.location.href = "/ujian/selesai"; return;
      }
      showBroadcast(result.body.broadcast);
      if (cfg.sequential && wasPaused === clock.paused) {
        // A section closed on the server: reload into the current one.
        var current = Number(itemEl().dataset.section);
        if (result.body.current_section !== current) window.location.href = "/ujian/lanjut";
      }
      backoff = 1000;
      flush();
      adaptiveResume();
    }, function () { leaveReported(report, false); /* offline: the queue keeps everything; the countdown goes on */ });
  }

  if (replayed) {
    var kept = readKept(KEPT.clock, null);
    if (kept) {
      var gone = kept.paused ? 0 : Math.max(0, (Date.now() - kept.wall) / 1000);
      clock.total = Math.max(0, kept.total - gone);
      clock.section = kept.section === null ? null : Math.max(0, kept.section - gone);
      clock.at = performance.now();
      setPaused(!!kept.paused);
    }
    Object.keys(local).forEach(function (position) { updateCell(Number(position)); });
  } else {
    keepClock();
    if (canKeep) {
      var own = {};  // for a reload while offline: the item shown and the batch carried
      Object.keys(carried).forEach(function (position) { own[position] = carried[position]; });
      own[nav.current()] = itemEl().outerHTML;
      keep(own);
      caches.open(OFFLINE_CACHE).then(function (store) {
        // The page's scripts and styles too (versioned URLs: the browser's cache answers).
        var assets = Array.prototype.map.call(
          document.querySelectorAll("script[src], link[rel=stylesheet]"),
          function (el) { return el.getAttribute("src") || el.getAttribute("href"); });
        assets.forEach(function (url) {
          store.match(url).then(function (kept) { if (!kept) store.add(url); });
        });
        return store.put(PAGE_KEY, new Response(pageHtml, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
      }).then(null, function () {});
    }
  }
  cache[nav.current()] = itemEl().outerHTML;
  updateNav(nav.current());
  applyLocal(nav.current());
  holdIfAnswered();
  showStatus();
  flush();
  tick();
  setInterval(tick, 500);
  // Leaving the page (a reload, a link, the browser closed): where it is, if the server has
  // not heard it yet, in a beacon (a heartbeat the browser sends even as the page goes).
  var reportedAt = nav.current(); // the test page's address was the server's resume point
  window.addEventListener("pagehide", function () {
    if (stopped || !navigator.sendBeacon || nav.current() === reportedAt) return;
    navigator.sendBeacon("/api/v1/taker/heartbeat?position=" + nav.current());
  });
  // While paused, a heartbeat every 3 s: the resume shows within seconds even before the
  // page's signal stream opens (a page just loaded) or after it was cut. Only paused pages.
  setInterval(function () { if (clock.paused && !stopped) beat(nav.current()); }, 3000);
  // A heartbeat only after a quiet interval: a save's reply carries what a heartbeat's does.
  setInterval(function () {
    if (performance.now() - lastContact >= cfg.heartbeat - 500) beat(nav.current());
  }, cfg.heartbeat);
  window.addEventListener("online", function () {
    // An adaptive section's next item that could not come while offline comes now.
    if (cfg.adaptive && nav.current() !== cfg.first) nav.go(cfg.first);
    else prefetchFor(nav.current());
  });
  // A stored page replayed offline shows the item its address names (the copy may be of
  // another): from the offline cache when the network is down. In an adaptive section the
  // copy's item was given before the one addressed, which is now the section's current.
  var addressed = /\/ujian\/soal\/(\d+)$/.exec(location.pathname);
  var addressedAt = addressed ? Number(addressed[1]) : null;
  if (cfg.adaptive && replayed && addressedAt > cfg.last) cfg.first = cfg.last = addressedAt;
  if (addressed && addressedAt !== nav.current()) nav.go(addressedAt, true);
  else prefetchFor(nav.current());

  // --- pushed by the server: a proctor acted on this attempt or wrote to the room ----------
  // The event carries nothing: the heartbeat's reply says what changed. EventSource
  // reconnects by itself after a network loss; a 204 (no test running) or 401 ends it. It
  // opens data-signal-delay seconds after the page loads (drawn per page load by the server
  // when a room loads its pages together): not beside a whole room's first pages and
  // batches. Its address carries when the page read its state: an action since then (a
  // pause while the stream was not open yet) is told as soon as it opens.
  var signals = null;
  function listen() {
    if (stopped || !window.EventSource) return;
    signals = new EventSource(bar.dataset.signals);
    signals.addEventListener("change", function () { if (!stopped) beat(nav.current()); });
  }
  if (cfg.signalDelay > 0) setTimeout(listen, cfg.signalDelay); else listen();
})();

/* ProASN CAT — the exam page's service worker (served as /ujian/sw.js, scope /ujian/).
 *
 * It keeps the test page available while the LAN is down: a reload, or an item link opened
 * while offline, gets the last test page the browser showed (taker.js stores it, and the
 * items it fetched, in the "proasn-exam" cache) instead of the browser's error page; taker.js
 * then shows the item the address names and carries on with its queue and clock. Nothing is
 * served from the cache while the server answers: every request goes to the network first.
 * The cache is emptied on the login and finished pages (items are confidential; exam PCs
 * are shared). Service workers need a secure context: HTTPS, or the server on localhost.
 */
"use strict";

var CACHE = "proasn-exam";
var PAGE = "/ujian/soal/_halaman";  // the stored test page (taker.js writes it)

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function isTestPage(url) {
  return /^\/ujian\/soal\/\d+$/.test(url.pathname) || url.pathname === "/ujian/lanjut";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isTestPage(url)) {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(PAGE); })
        .then(function (page) { return page || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // The page's scripts and styles (versioned URLs): kept as they pass, for the stored page.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(request); })
        .then(function (kept) { return kept || Response.error(); });
    }));
  }
});

{% load i18n %}{% autoescape off %}// The service worker (jijie/core/views.py, service_worker): it keeps the static files a
// page needs and the pages marked for use with no signal (the X-Offline-Page header; only
// pages that hold no personal data), so a worker in a basement can reload the page they
// record on. Static files are answered from the cache and refreshed behind; a page from
// the network, and from the cache only when the network fails. Nothing else is kept:
// every other answer of the app is no-store and holds personal data.
"use strict";
var VERSION = "{{ version }}";
var ASSETS = {{ assets }};
var STATIC_PREFIX = "{{ static_prefix }}";
var STATIC = "jijie-static-" + VERSION;
var PAGES = "jijie-pages";
var OFFLINE = {{ offline }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); })
      .catch(function () {}).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("jijie-static-") === 0 && key !== STATIC;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// A page signed out forgets the pages it kept; a page opened before the worker ran
// asks to be kept (fetched again: only an answer marked to keep is).
self.addEventListener("message", function (event) {
  if (event.data === "forget") caches.delete(PAGES);
  if (event.data && typeof event.data.keep === "string" && event.data.keep.charAt(0) === "/") {
    event.waitUntil(page(new Request(event.data.keep, { credentials: "same-origin" }), event.data.keep)
      .catch(function () {}));
  }
});

function fromStatic(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (answer) {
        if (answer.ok) cache.put(request, answer.clone());
        return answer;
      });
      if (hit) { fresh.catch(function () {}); return hit; }
      return fresh;
    });
  });
}

function page(request, key) {
  return fetch(request).then(function (answer) {
    var keep = answer.headers.get("X-Offline-Page") === "keep";
    var copy = answer.clone();
    caches.open(PAGES).then(function (cache) {
      return keep ? cache.put(key, copy) : cache.delete(key);
    });
    return answer;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(key); }).then(function (hit) {
      return hit || new Response(OFFLINE, {
        status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(fromStatic(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url.pathname + url.search));
  }
});
{% endautoescape %}

// The guard's page. Online, the form goes to the server, which decides. Offline, the
// phone checks the pass itself, with the public key shown on the page (Ed25519, where
// the browser has it) and the revoked passes it fetched last, shows its verdict, and
// keeps the scan (with its own id and the time it was made) to send in one batch when
// the network is back. The server stores each scan once, however often it is sent.
// What it says comes translated from the page (the form's data-msg-* attributes). A code
// read by the camera (jijie/scanner.js) is sent as soon as what the gate's rule asks of a
// person coming in (a temperature, a test certificate) is filled in; the page asks for it
// first, instead of the guard finding out from a refusal.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var KEY = "jijie-gate-queue";
  var REVOKED = "jijie-gate-revoked";
  var notice = document.querySelector("[data-testid=offline]");
  var verdict = document.querySelector("[data-testid=offline-verdict]");
  // A message of the page with its %(name)s placeholders filled in.
  function msg(name, values) {
    return (form.dataset[name] || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }
  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); show(items.length); }
  function show(n) { notice.hidden = n === 0; notice.textContent = msg("msgQueued", { n: n }); }
  function uuid() { return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()); }
  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function checked(name) { var el = form.elements[name]; return !!(el && el.checked); }
  function b64(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function say(ok, text) {
    verdict.hidden = false;
    verdict.className = "decision " + (ok ? "allowed" : "denied");
    verdict.querySelector(".verdict").textContent = msg(ok ? "msgAllowed" : "msgDenied");
    verdict.querySelector(".why").textContent = text;
  }
  // The token: "JJ1." + base64url(version u8, pass u64, household u64, response u32,
  // from u32, until u32, outings u8 ‖ 64-byte signature), as jijie/gates/signing.py makes it.
  function check(token, now) {
    var invalid = msg("msgInvalid");
    if (token.indexOf("JJ1.") !== 0) return Promise.resolve([false, invalid]);
    var raw;
    try { raw = b64(token.slice(4)); } catch (e) { return Promise.resolve([false, invalid]); }
    if (raw.length !== 94) return Promise.resolve([false, invalid]);
    var payload = raw.slice(0, 30), signature = raw.slice(30);
    var view = new DataView(payload.buffer);
    var passId = Number(view.getBigUint64(1)), start = view.getUint32(21), end = view.getUint32(25);
    var key = document.querySelector("[data-testid=public-key]").textContent.trim();
    var verify = crypto.subtle
      ? crypto.subtle.importKey("raw", b64(key), { name: "Ed25519" }, false, ["verify"])
          .then(function (k) { return crypto.subtle.verify({ name: "Ed25519" }, k, signature, payload); })
      : Promise.reject(new Error("no WebCrypto"));
    return verify.then(function (ok) {
      if (!ok) return [false, invalid];
      var revoked = JSON.parse(localStorage.getItem(REVOKED) || "[]");
      if (revoked.indexOf(passId) >= 0) return [false, msg("msgRevoked")];
      var t = now.getTime() / 1000;
      if (t < start) return [false, msg("msgNotYetValid")];
      var until = new Date(end * 1000).toLocaleString(document.documentElement.lang || undefined);
      if (t >= end) return [false, msg("msgExpired", { at: until })];
      return [true, msg("msgValid", { n: passId })];
    }, function () { return [true, msg("msgUnverified")]; });
  }
  function sync() {
    if (!navigator.onLine) return;
    fetch(form.dataset.keys, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (keys) { if (keys) localStorage.setItem(REVOKED, JSON.stringify(keys.revoked_pass_ids)); })
      .catch(function () {});
    var items = queue();
    if (!items.length) return;
    fetch(form.dataset.batch, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      body: JSON.stringify({ scans: items })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (!answer) return;
      var done = {};
      answer.results.forEach(function (r) { done[r.client_id] = true; });
      save(queue().filter(function (s) { return !done[s.client_id]; }));
    }).catch(function () {});
  }
  // What the gate's rule asks of a person coming in, asked before the scan is sent
  // rather than found in a refusal: the first thing missing, or "".
  function missing() {
    var direction = (form.querySelector("input[name=direction]:checked") || {}).value || "in";
    if (direction !== "in") return "";
    if (form.dataset.needsTemperature && !value("temperature").trim()) return "temperature";
    if (form.dataset.needsCertificate && !checked("certificate_checked")) return "certificate_checked";
    return "";
  }
  var prompt = document.querySelector("[data-testid=needed]");
  function ask(field) {
    prompt.hidden = false;
    prompt.textContent = msg(field === "temperature" ? "msgNeedTemperature" : "msgNeedCertificate");
    form.elements[field].focus();
  }
  // A code read by the camera is sent at once, or once what the rule asks is filled in.
  var waiting = false;
  document.addEventListener("scanned", function () {
    var field = missing();
    if (field) { waiting = true; ask(field); return; }
    form.requestSubmit();
  });
  form.addEventListener("change", function () {
    if (waiting && !missing()) { waiting = false; prompt.hidden = true; }
  });
  form.addEventListener("submit", function (event) {
    var field = missing();
    if (field) { event.preventDefault(); ask(field); return; }
    if (navigator.onLine) return;
    event.preventDefault();
    var now = new Date();
    var visitor = value("visitor_name");
    var token = value("token").trim();
    var items = queue();
    items.push({
      client_id: value("client_id"), gate_id: Number(form.dataset.gate),
      device_at: now.toISOString(),
      direction: (form.querySelector("input[name=direction]:checked") || {}).value || "in",
      token: token, temperature: value("temperature") || null,
      certificate_checked: checked("certificate_checked"),
      vehicle_plate: value("vehicle_plate"), vehicle_disinfected: checked("vehicle_disinfected"),
      visitor: visitor ? { name: visitor, visiting: value("visitor_visiting"), reason: value("visitor_reason") } : null
    });
    save(items);
    form.elements.client_id.value = uuid();
    form.elements.token.value = "";
    if (token) check(token, now).then(function (r) { say(r[0], r[1]); });
  });
  window.addEventListener("online", sync);
  show(queue().length);
  sync();
})();

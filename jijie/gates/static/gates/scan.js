// The guard's page. A scan goes through the phone's outbox (jijie/core/static/jijie/outbox.js,
// kind "gates.scan"): kept on the phone with its own id and the time it was made, sent
// at once when there is a signal, and the server's decision shown in large type as soon
// as it answers. With no signal the phone checks the pass itself, with the public key
// shown on the page (Ed25519, where the browser has it) and the revoked passes it
// fetched last, and shows its verdict; the scan is sent when the network is back and
// stored once, however often it is sent. What it says comes translated from the page
// (the form's data-msg-* attributes). A code read by the camera (jijie/scanner.js) is
// sent as soon as what the gate's rule asks of a person coming in (a temperature, a
// test certificate) is filled in; the page asks for it first, instead of the guard
// finding out from a refusal. Scans an older version of this page kept in
// localStorage are still sent, in one batch, to the scan API.
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
  function direction() {
    return (form.querySelector("input[name=direction]:checked") || {}).value || "in";
  }
  // With a testing ledger (data-ledger), whether the person coming in needs their own
  // certificate checked is asked of the server for the pass's household before the scan
  // is sent: not when every member has a negative result in the rule's hours. With no
  // signal, or no answer, it is needed, as it was before there was a ledger.
  var note = document.querySelector("[data-testid=standing]");
  var known = { token: null, valid: false };
  function standing(token) {
    if (!form.dataset.ledger || !token || direction() !== "in" || known.token === token) {
      return Promise.resolve();
    }
    var asked = !navigator.onLine ? Promise.resolve(null) : fetch(form.dataset.ledger, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      body: new URLSearchParams({ token: token })
    }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
    return asked.then(function (found) {
      known = { token: token, valid: !!(found && found.standing === "valid") };
      note.hidden = !(found && found.sentence);
      note.textContent = found ? found.sentence : "";
    });
  }
  // What the gate's rule asks of a person coming in, asked before the scan is sent
  // rather than found in a refusal: the first thing missing, or "".
  function missing() {
    if (direction() !== "in") return "";
    if (form.dataset.needsTemperature && !value("temperature").trim()) return "temperature";
    var vouched = known.valid && known.token === value("token").trim();
    var certificate = form.dataset.needsCertificate || (form.dataset.ledger && !vouched);
    if (certificate && !checked("certificate_checked")) return "certificate_checked";
    return "";
  }
  var prompt = document.querySelector("[data-testid=needed]");
  function ask(field) {
    hideAll();  // the last person's verdict is not this one's
    prompt.hidden = false;
    prompt.textContent = msg(field === "temperature" ? "msgNeedTemperature" : "msgNeedCertificate");
    form.elements[field].focus();
  }
  // A code read by the camera is sent at once, or once what the rule asks is filled in;
  // the card still held up to the camera after its scan was sent is not sent again.
  var waiting = false;
  var sent = { token: null, at: 0 };
  document.addEventListener("scanned", function (event) {
    var token = event.detail.text;
    if (token === sent.token && Date.now() - sent.at < 60000) return;
    standing(token).then(function () {
      var field = missing();
      if (field) { waiting = true; ask(field); return; }
      form.requestSubmit();
    });
  });
  form.addEventListener("change", function () {
    if (waiting && !missing()) { waiting = false; prompt.hidden = true; }
  });
  // Before the outbox takes the form (a listener of the capture phase runs first): the
  // ledger asked about a code typed or pasted, and what the rule asks, asked now.
  form.addEventListener("submit", function (event) {
    var token = value("token").trim();
    if (!token && !value("visitor_name").trim()) {  // nothing to record yet
      event.preventDefault();
      event.stopImmediatePropagation();
      prompt.hidden = false;
      prompt.textContent = msg("msgNeedCode");
      form.elements.token.focus();
      return;
    }
    if (form.dataset.ledger && token && direction() === "in" && known.token !== token) {
      event.preventDefault();
      event.stopImmediatePropagation();
      // Sent again once the event is over: a form does not submit while it fires one.
      standing(token).then(function () { setTimeout(function () { form.requestSubmit(); }, 0); });
      return;
    }
    var field = missing();
    if (field) { event.preventDefault(); event.stopImmediatePropagation(); ask(field); return; }
    prompt.hidden = true;
    sent = { token: token, at: Date.now() };
  }, true);
  var answer = document.querySelector("[data-testid=verdict]");
  function hideAll() {
    verdict.hidden = true;
    answer.hidden = true;
    var rendered = document.querySelector("[data-testid=decision]");
    if (rendered) rendered.hidden = true;
  }
  // Kept on the phone: with no signal, the phone's own verdict until the server's.
  form.addEventListener("queued", function (event) {
    hideAll();
    note.hidden = true;
    known = { token: null, valid: false };
    var fields = event.detail.fields;
    if (navigator.onLine || !fields.token) return;
    check(fields.token.trim(), new Date(fields.recorded_at)).then(function (r) { say(r[0], r[1]); });
  });
  // The server's decision, as soon as it answers.
  document.addEventListener("outbox-answer", function (event) {
    var detail = event.detail;
    if (detail.kind !== "gates.scan" || detail.status === "refused") return;
    var data = detail.data || {};
    hideAll();
    answer.hidden = false;
    answer.className = "decision " + (data.allowed ? "allowed" : "denied");
    answer.querySelector(".verdict").textContent = msg(data.allowed ? "msgServerAllowed" : "msgDenied");
    answer.querySelector(".why").textContent = data.allowed && !data.proof ? "" : data.why || "";
  });
  window.addEventListener("online", sync);
  show(queue().length);
  sync();
})();

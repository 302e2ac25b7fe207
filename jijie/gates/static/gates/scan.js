// Offline: a scan made without a network is kept on the phone (with its own id and the
// time it was made) and sent in one batch when the network is back. The server stores
// each once, however many times the batch is sent.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var KEY = "jijie-gate-queue";
  var notice = document.querySelector("[data-testid=offline]");
  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); show(items.length); }
  function show(n) { notice.hidden = n === 0; notice.textContent = "离线待同步 " + n + " 条"; }
  function uuid() { return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()); }
  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function checked(name) { var el = form.elements[name]; return !!(el && el.checked); }
  function sync() {
    var items = queue();
    if (!items.length || !navigator.onLine) return;
    var token = form.elements.csrfmiddlewaretoken.value;
    fetch(form.dataset.batch, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ scans: items })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (!answer) return;
      var done = {};
      answer.results.forEach(function (r) { done[r.client_id] = true; });
      save(queue().filter(function (s) { return !done[s.client_id]; }));
    }).catch(function () {});
  }
  form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    var visitor = value("visitor_name");
    var items = queue();
    items.push({
      client_id: value("client_id"), gate_id: Number(form.dataset.gate),
      device_at: new Date().toISOString(),
      direction: (form.querySelector("input[name=direction]:checked") || {}).value || "in",
      token: value("token").trim(), temperature: value("temperature") || null,
      certificate_checked: checked("certificate_checked"),
      vehicle_plate: value("vehicle_plate"), vehicle_disinfected: checked("vehicle_disinfected"),
      visitor: visitor ? { name: visitor, visiting: value("visitor_visiting"), reason: value("visitor_reason") } : null
    });
    save(items);
    form.elements.client_id.value = uuid();
    form.elements.token.value = "";
  });
  window.addEventListener("online", sync);
  show(queue().length);
  sync();
})();

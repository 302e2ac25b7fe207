// The phone's outbox: work recorded on foot is kept on the phone first (IndexedDB), each
// item with an id the phone makes, and sent when there is a signal, in the order it was
// recorded. The server answers item by item (jijie/core/outbox.py): stored, already
// stored (sent before: a retry stores nothing twice), or refused with the reason. A
// refused item stays on the phone until the worker fixes it and sends it again; a stored
// one keeps only its label, for the day's list. Nothing is lost when the page is closed
// before it syncs: any page of the app, opened with a signal, sends what waits.
//
// Markup. A form recorded through the outbox (fields posted as strings, a hidden
// client_ref; fields marked data-outbox-keep are kept for the next item):
//
//   <form data-outbox-form="testing.sample" data-outbox-label="barcode id_number:tail">
//
// data-outbox-label names the fields the day's list shows an item by (":tail", an ID's
// last four); data-outbox-title puts a text before them; on a page of many forms of one
// kind (a form per case), data-outbox-key tells them apart, so a refused item comes
// back to its own form; data-outbox-redraw has the page drawn again by the server once
// what it recorded is stored (a case's slots turn done), as a posted form would.
// Once the server has answered an item this page recorded, the document receives an
// "outbox-answer" event (detail: the status, sentence and data of the answer), for a
// page that shows it at once (the guard's decision).
//
// and the day's list, with the page's sentences: core/_outbox.html. The page's body
// carries data-sync (the endpoint), data-user (whose items these are) and
// data-service-worker (registered here from a page with an outbox form or links marked
// data-keep, for the pages kept with no signal).
(function () {
  "use strict";
  var body = document.body;
  // Registered from a page that records on foot, or that lists the pages to keep for
  // the day (links marked data-keep: a worker's buildings); its scope then covers the app.
  if ("serviceWorker" in navigator && body.dataset.serviceWorker &&
      document.querySelector("[data-outbox-form], a[data-keep]")) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (ready) {
      // The page opened before the worker ran: kept now, if it is a page to keep; and,
      // while there is a signal, the pages it lists for the day (each kept only if the
      // server marks it so).
      ready.active.postMessage({ keep: location.pathname + location.search });
      if (!navigator.onLine) return;
      document.querySelectorAll("a[data-keep]").forEach(function (link) {
        var url = new URL(link.href, location.href);
        if (url.origin === location.origin) ready.active.postMessage({ keep: url.pathname + url.search });
      });
    }).catch(function () {});
  }
  var SYNC = body.dataset.sync;
  var USER = body.dataset.user;
  if (!SYNC || !USER || !window.indexedDB) return;
  var DB = "jijie-outbox";
  var STORE = "items";
  var BATCH = 50;
  var EVERY_MS = 30000;
  var panel = document.querySelector("[data-outbox-panel]");
  var status = document.querySelector("[data-outbox-status]");

  function msg(name, values) {
    var source = (panel && panel.dataset[name]) || (status && status.dataset[name]) || "";
    return source.replace(/%\((\w+)\)s/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // IndexedDB, one store keyed by the item's id.
  function db() {
    return new Promise(function (ok, fail) {
      var opening = indexedDB.open(DB, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore(STORE, { keyPath: "client_ref" }); };
      opening.onsuccess = function () { ok(opening.result); };
      opening.onerror = function () { fail(opening.error); };
    });
  }
  function run(mode, work) {
    return db().then(function (base) {
      return new Promise(function (ok, fail) {
        var t = base.transaction(STORE, mode);
        var request = work(t.objectStore(STORE));
        t.oncomplete = function () { base.close(); ok(request ? request.result : undefined); };
        t.onerror = t.onabort = function () { base.close(); fail(t.error); };
      });
    });
  }
  function mine() {
    return run("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.filter(function (i) { return i.user === USER; })
        .sort(function (a, b) { return a.at - b.at; });
    });
  }
  function put(item) { return run("readwrite", function (s) { s.put(item); }); }
  function drop(ref) { return run("readwrite", function (s) { s.delete(ref); }); }

  // What the list says of an item: the fields its form names, an ID's last four only.
  function label(form, fields) {
    var title = form.dataset.outboxTitle ? [form.dataset.outboxTitle] : [];
    return title.concat((form.dataset.outboxLabel || "").split(/\s+/).filter(Boolean).map(function (spec) {
      var parts = spec.split(":"), value = (fields[parts[0]] || "").trim();
      var el = form.elements[parts[0]];
      if (el && el.tagName === "SELECT" && el.selectedIndex >= 0) value = el.options[el.selectedIndex].text;
      if (el && el instanceof RadioNodeList) {  // a choice shown by its label, not its value
        var on = Array.prototype.filter.call(el, function (r) { return r.checked; })[0];
        if (on && on.closest("label")) value = on.closest("label").textContent.trim();
      }
      if (parts[1] === "tail" && value) value = "…" + value.slice(-4);
      return value;
    })).filter(Boolean).join(" · ");
  }

  // The list: what waits, what was refused (with its reasons and a button to fix it), and
  // what the server stored today.
  function render() {
    return mine().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "pending"; }).length;
      var refused = items.filter(function (i) { return i.state === "refused"; }).length;
      var done = items.length - waiting - refused;
      if (status) {
        status.hidden = !waiting && !refused;
        status.textContent = msg("msgStatus", { waiting: waiting, refused: refused });
      }
      if (!panel) return;
      panel.querySelector("[data-outbox-counts]").textContent =
        msg("msgCounts", { waiting: waiting, refused: refused, done: done });
      var list = panel.querySelector("[data-outbox-items]");
      list.textContent = "";
      items.slice().reverse().forEach(function (item) {
        var row = document.createElement("li");
        row.dataset.state = item.state;
        row.dataset.testid = "outbox-item";
        var what = document.createElement("span");
        what.textContent = item.label || item.kind;
        var state = document.createElement("small");
        state.textContent = " · " + (item.state === "pending" ? msg("msgPending") : item.message);
        row.appendChild(what);
        row.appendChild(state);
        if (item.state === "refused") {
          var fix = document.createElement("button");
          fix.type = "button";
          fix.className = "outline secondary";
          fix.textContent = msg("msgFix");
          fix.addEventListener("click", function () { mend(item); });
          var forget = document.createElement("button");
          forget.type = "button";
          forget.className = "outline contrast";
          forget.textContent = msg("msgDrop");
          forget.addEventListener("click", function () {
            if (window.confirm(msg("msgDropConfirm"))) drop(item.client_ref).then(render);
          });
          row.appendChild(fix);
          row.appendChild(forget);
        }
        list.appendChild(row);
      });
    });
  }

  // A refused item back in its form, with the reasons by field, to be sent again.
  function mend(item) {
    var forms = document.querySelectorAll('[data-outbox-form="' + item.kind + '"]');
    var form = Array.prototype.filter.call(forms, function (f) {
      return (f.dataset.outboxKey || "") === (item.key || "");
    })[0];
    if (!form) return;
    var folded = form.closest("details");
    if (folded) folded.open = true;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = item.fields[el.name] === el.value;
      } else if (el.name in item.fields) {
        el.value = item.fields[el.name];
      }
    });
    form.elements.client_ref.value = item.client_ref;
    form.dataset.recordedAt = item.fields.recorded_at || "";
    form.dataset.mending = "1";
    var reasons = form.querySelector("[data-outbox-reasons]");
    if (reasons) {
      reasons.hidden = false;
      reasons.textContent = Object.keys(item.errors || {}).map(function (k) {
        return item.errors[k].join(" ");
      }).join(" ");
    }
    form.scrollIntoView();
    var first = Object.keys(item.errors || {}).filter(function (k) { return form.elements[k]; })[0];
    if (first) form.elements[first].focus();
  }

  var syncing = false;
  var redraw = false;
  var sentHere = {};  // the items this page's forms recorded since it was drawn
  function sync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    redraw = false;
    return mine().then(function send(items) {
      var pending = items.filter(function (i) { return i.state === "pending"; }).slice(0, BATCH);
      if (!pending.length) return null;
      return fetch(SYNC, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ items: pending.map(function (i) {
          return { kind: i.kind, client_ref: i.client_ref, fields: i.fields };
        }) })
      }).then(function (answer) {
        if (answer.status === 401 || answer.status === 403) {
          if (status) { status.hidden = false; status.textContent = msg("msgSignIn"); }
          return null;
        }
        return answer.ok ? answer.json() : null;
      }).then(function (answer) {
        if (!answer) return null;
        var byRef = {};
        pending.forEach(function (i) { byRef[i.client_ref] = i; });
        return Promise.all(answer.results.map(function (r) {
          var item = byRef[r.client_ref];
          if (!item) return null;
          item.state = r.status;
          item.message = r.message;
          item.errors = r.errors || {};
          item.data = r.data || {};
          item.synced = Date.now();
          var fields = item.fields;
          if (r.status !== "refused") item.fields = {};  // stored: nothing personal stays
          if (r.status === "stored" && sentHere[r.client_ref]) redraw = true;
          if (sentHere[r.client_ref]) {
            // The page that recorded it may show the answer at once (a gate's decision).
            document.dispatchEvent(new CustomEvent("outbox-answer", {
              detail: { client_ref: item.client_ref, kind: item.kind, status: item.state,
                        message: item.message, data: item.data, fields: fields }
            }));
          }
          return put(item);
        })).then(function () {
          return pending.length === BATCH ? mine().then(send) : null;
        });
      });
    }).catch(function () {}).then(function () {
      syncing = false;
      // A page that shows what it records (a case's slots) is drawn again by the server.
      if (redraw && document.querySelector("[data-outbox-form][data-outbox-redraw]")) {
        window.location.reload();
        return null;
      }
      return render();
    });
  }

  // Stored items are listed for the day they were sent, then forgotten.
  function tidy() {
    var midnight = new Date(); midnight.setHours(0, 0, 0, 0);
    return mine().then(function (items) {
      return Promise.all(items.filter(function (i) {
        return i.state !== "pending" && i.state !== "refused" && i.synced < midnight.getTime();
      }).map(function (i) { return drop(i.client_ref); }));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-form]"), function (form) {
    if (!form.elements.client_ref) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      var fields = {};
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && name !== "client_ref" && typeof value === "string") fields[name] = value;
      });
      fields.recorded_at = form.dataset.recordedAt || new Date().toISOString();
      var item = {
        client_ref: form.elements.client_ref.value || uuid(),
        kind: form.dataset.outboxForm, key: form.dataset.outboxKey || "", user: USER, fields: fields,
        label: label(form, fields), at: Date.now(), state: "pending", message: "", errors: {},
        mended: form.dataset.mending === "1"
      };
      sentHere[item.client_ref] = true;
      put(item).then(function () {
        Array.prototype.forEach.call(form.elements, function (el) {
          if (!el.name || el.hasAttribute("data-outbox-keep") || el.type === "hidden" && el.name !== "client_ref") return;
          if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
          else if (el.tagName === "SELECT") el.selectedIndex = Math.max(0, Array.prototype.findIndex.call(
            el.options, function (o) { return o.defaultSelected; }));
          else if (el.type !== "submit") el.value = "";
        });
        form.elements.client_ref.value = "";
        form.dataset.recordedAt = "";
        form.dataset.mending = "";
        var reasons = form.querySelector("[data-outbox-reasons]");
        if (reasons) reasons.hidden = true;
        var first = form.querySelector("[autofocus]");
        if (first) first.focus();
        form.dispatchEvent(new CustomEvent("queued", { detail: item }));
        return render().then(sync);
      });
    });
  });

  window.addEventListener("online", sync);
  window.setInterval(sync, EVERY_MS);
  tidy().then(render).then(sync);
})();

// The sampler's page: how many people this phone has put in the tube in hand, and when
// it is full, the barcode cleared for the next tube. Counted on the phone (it may have no
// signal); the server seals the tube when it holds its capacity.
(function () {
  "use strict";
  var form = document.querySelector("[data-outbox-form='testing.sample']");
  if (!form) return;
  var capacity = Number(form.dataset.capacity) || 10;
  var note = form.querySelector("[data-testid=tube-count]");
  var KEY = "jijie-tube-counts";
  function counts() { try { return JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (e) { return {}; } }
  function msg(name, values) {
    return (form.dataset[name] || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }
  function show() {
    var code = form.elements.barcode.value.trim().toUpperCase();
    if (!code) return;
    note.textContent = msg("msgTube", { code: code, n: counts()[code] || 0, capacity: capacity });
  }
  form.addEventListener("queued", function (event) {
    if (event.detail.mended) return;  // a refused item sent again was counted before
    var code = (event.detail.fields.barcode || "").trim().toUpperCase();
    var all = counts();
    all[code] = (all[code] || 0) + 1;
    sessionStorage.setItem(KEY, JSON.stringify(all));
    if (all[code] >= capacity) {
      form.elements.barcode.value = "";
      note.textContent = msg("msgFull", { code: code });
      form.elements.barcode.focus();
    } else {
      show();
    }
  });
  form.elements.barcode.addEventListener("change", show);
  // Sealing early: the tube in hand offered, and once sealed, the next person waits for
  // a new tube.
  var seal = document.querySelector("[data-outbox-form='testing.seal']");
  if (seal) {
    seal.closest("details").addEventListener("toggle", function () {
      if (!seal.elements.barcode.value) seal.elements.barcode.value = form.elements.barcode.value;
    });
    seal.addEventListener("queued", function (event) {
      var code = (event.detail.fields.barcode || "").trim().toUpperCase();
      if (form.elements.barcode.value.trim().toUpperCase() === code) {
        form.elements.barcode.value = "";
        note.textContent = msg("msgFull", { code: code });
      }
      seal.closest("details").open = false;
    });
  }
  // A household's pass shown at the lane: its people listed (with a signal) for the
  // sampler to pick who stands there; the pick is sent with the pass, not an ID number.
  var members = form.querySelector("[data-testid=members]");
  var list = members.querySelector("[data-member-list]");
  function clearMembers() {
    members.hidden = true;
    list.textContent = "";
    form.elements.pass_token.value = "";
  }
  function listMembers(token) {
    members.hidden = false;
    list.textContent = "";
    var legend = members.querySelector("legend");
    if (!navigator.onLine) {
      legend.textContent = members.dataset.msgOffline;
      form.elements.pass_token.value = "";
      form.elements.id_number.focus();
      return;
    }
    fetch(members.dataset.members, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      body: new URLSearchParams({ token: token })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (found) {
      if (!found || !found.members.length) {
        legend.textContent = (found && found.error) || members.dataset.msgOffline;
        form.elements.pass_token.value = "";
        return;
      }
      legend.textContent = members.dataset.msgPick;
      found.members.forEach(function (m) {
        var label = document.createElement("label");
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "member";
        radio.value = String(m.id);
        radio.required = true;
        label.append(radio, " " + m.label);
        list.appendChild(label);
      });
    }).catch(function () { legend.textContent = members.dataset.msgOffline; });
  }
  form.addEventListener("queued", clearMembers);
  // A code read by the camera: a tube's, on to the person; a pass's, its people.
  document.addEventListener("scanned", function (event) {
    if (event.target.hasAttribute("data-pass-scanner")) {
      listMembers(event.detail.text);
      return;
    }
    show();
    form.elements.id_number.focus();
  });
  show();
})();

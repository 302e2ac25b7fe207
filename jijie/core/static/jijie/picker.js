// Pickers (areas.forms.AreaPicker and the like): a tap on a choice puts its value in the
// field it names, shows its name beside the field, and closes the picker. The field
// stays a text box: a code pasted or typed is still taken. A form marked
// data-submit-on-pick is sent as soon as a choice is made.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick-field]");
    if (!choice) return;
    var input = document.getElementById(choice.dataset.pickField);
    if (!input) return;
    var value = choice.dataset.pickValue;
    var chosen = document.querySelector("[data-picked-for='" + input.id + "']");
    if (input.hasAttribute("data-pick-append")) {
      // A box of several codes: the one picked is added (once), its name listed.
      var codes = input.value.split(/[\s,，]+/).filter(Boolean);
      if (codes.indexOf(value) < 0) {
        codes.push(value);
        if (chosen) chosen.textContent += (chosen.textContent ? "、" : "") + choice.dataset.pickLabel;
      }
      input.value = codes.join(" ");
    } else {
      input.value = value;
      if (chosen) chosen.textContent = choice.dataset.pickLabel;
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var box = choice.closest("details");
    if (box) box.open = false;
    // A searching picker (a household's) forgets the words typed and the list shown.
    var picker = choice.closest("[data-picker]");
    if (picker) {
      var search = picker.querySelector("[data-pick-search]");
      if (search) search.value = "";
      var picks = picker.querySelector("[data-picks]");
      if (picks) picks.replaceChildren();
    }
    // A form that only asks which area to show goes there at once.
    if (input.form && input.form.hasAttribute("data-submit-on-pick")) input.form.requestSubmit();
  });
})();

// A list to tap with a box that narrows it (core.forms.FindRadio): each choice carries
// its name and pinyin initials (data-find); what is typed hides those that do not hold
// it. The one chosen stays in view.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-find-box]");
    if (!box) return;
    var list = box.closest("[data-find-list]");
    var words = box.value.trim().toLowerCase();
    var shown = 0;
    list.querySelectorAll("input[data-find]").forEach(function (choice) {
      var keep = !words || choice.checked || choice.dataset.find.indexOf(words) >= 0;
      var row = choice.closest("label").parentElement;
      row.hidden = !keep;
      if (keep) shown += 1;
    });
    list.querySelector("[data-find-none]").hidden = shown > 0;
  });
})();

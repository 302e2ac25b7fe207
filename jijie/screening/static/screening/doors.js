// A building's floor plan with no signal: a tap on a door picks it in the page's visit
// form (the household's own page needs the network) instead of leaving the page; a
// door recorded on this phone is marked until the page is drawn again by the server.
(function () {
  "use strict";
  var form = document.querySelector("[data-outbox-form='screening.visit']");
  if (!form) return;
  var select = form.elements.household;
  function doorOf(label) {
    return Array.prototype.filter.call(select.options, function (o) { return o.text === label; })[0];
  }
  document.querySelectorAll(".floorplan a.door").forEach(function (cell) {
    cell.addEventListener("click", function (event) {
      if (navigator.onLine) return;
      var option = doorOf(cell.dataset.door);
      if (!option) return;
      event.preventDefault();
      select.value = option.value;
      form.closest("details").open = true;
      form.scrollIntoView();
    });
  });
  form.addEventListener("queued", function (event) {
    var picked = Array.prototype.filter.call(select.options, function (o) {
      return o.value === event.detail.fields.household;
    })[0];
    if (!picked) return;
    document.querySelectorAll(".floorplan a.door").forEach(function (cell) {
      if (cell.dataset.door === picked.text) cell.dataset.queued = "1";
    });
  });
})();

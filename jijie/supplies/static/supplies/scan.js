// A store's label scan page: a label read by the camera (the shared scanner's
// "scanned" event) is looked up at once, as if the person had pressed the button.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=scan-form]");
  if (!form) return;
  document.addEventListener("scanned", function () { form.requestSubmit(); });
})();

// Progressive enhancement only: every flow works without this file.
(function () {
  "use strict";
  // Submit the language switch as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    var select = event.target.closest(".language-switch select");
    if (select) { select.form.submit(); }
  });
})();

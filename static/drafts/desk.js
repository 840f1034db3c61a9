// Drafting desk enhancements. Every flow works without this file.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Tool rows are hidden until this script can make their buttons work.
    document.querySelectorAll(".tw-tools[hidden]").forEach(function (el) { el.hidden = false; });
    // On a phone the filters start folded, so the comments come first on screen.
    if (window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
      document.querySelectorAll(".facets-box[open]").forEach(function (d) { d.open = false; });
    }
  });

  document.addEventListener("click", function (event) {
    // Three-way view: start the final text from one of the versions shown.
    var fill = event.target.closest("[data-fill-from]");
    if (fill) {
      var source = document.getElementById(fill.getAttribute("data-fill-from"));
      var target = document.getElementById(fill.getAttribute("data-fill-into"));
      if (source && target) {
        target.value = source.content ? source.content.textContent : source.textContent;
        target.focus();
      }
      return;
    }
    // Redline: open or close every collapsed unchanged provision at once.
    var toggle = event.target.closest("[data-toggle-details]");
    if (toggle) {
      var items = document.querySelectorAll(toggle.getAttribute("data-toggle-details"));
      var anyClosed = Array.prototype.some.call(items, function (d) { return !d.open; });
      items.forEach(function (d) { d.open = anyClosed; });
    }
  });
})();

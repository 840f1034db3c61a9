// Review desk triage: keyboard shortcuts and the count of ticked comments.
// Every action also works without this file (links, checkboxes and forms).
(function () {
  "use strict";

  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-triage-item]")); }

  function current() {
    var active = document.activeElement && document.activeElement.closest("[data-triage-item]");
    return active || document.querySelector("[data-triage-item].is-current");
  }

  function focusItem(item) {
    if (!item) { return; }
    items().forEach(function (el) { el.classList.remove("is-current"); });
    item.classList.add("is-current");
    item.focus({ preventScroll: false });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    if (!list.length) { return; }
    var index = list.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    focusItem(list[next]);
  }

  function updateCount() {
    var count = document.querySelectorAll("[data-select]:checked").length;
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = String(count); });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select]")) { updateCount(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var item = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x":
        if (item) {
          var box = item.querySelector("[data-select]");
          if (box) { box.checked = !box.checked; updateCount(); }
        }
        break;
      case "o":
        if (item) { var link = item.querySelector(".review-title a"); if (link) { window.location.href = link.href; } }
        break;
      case "r":
        if (item) {
          var details = item.querySelector(".respond-box");
          if (details) { details.open = true; var field = details.querySelector("select, textarea"); if (field) { field.focus(); } }
        }
        break;
      case "a":
        var action = document.querySelector("#bulk-form select[name=action]");
        if (action) { action.focus(); }
        break;
      case "n":
        var nextPage = document.querySelector(".pagination a[rel=next]");
        if (nextPage) { window.location.href = nextPage.href; }
        break;
      case "p":
        var prevPage = document.querySelector(".pagination a[rel=prev]");
        if (prevPage) { window.location.href = prevPage.href; }
        break;
      case "?":
        var help = document.getElementById("keyboard-help");
        if (help) { help.open = !help.open; }
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  if (document.readyState !== "loading") { updateCount(); } else { document.addEventListener("DOMContentLoaded", updateCount); }
})();

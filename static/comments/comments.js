// Comment threads and the comment form: quoting a selected passage, showing the
// amendment fields only for amendments, and keeping focus sensible after htmx swaps.
// Every flow works without this file (plain forms and links).
(function () {
  "use strict";

  function setQuote(form, text) {
    var input = form.querySelector(".quote-input");
    var preview = form.querySelector(".quote-preview");
    if (!input || !preview) { return; }
    input.value = text;
    preview.querySelector("blockquote").textContent = text;
    preview.hidden = !text;
  }

  function enhanceForm(form) {
    if (!form || form.dataset.enhanced) { return; }
    form.dataset.enhanced = "1";
    var input = form.querySelector(".quote-input");
    if (input) {
      // The quote is chosen by selecting words in the article, so the text box becomes hidden.
      var group = input.closest("div");
      input.type = "hidden";
      if (group) {
        group.querySelectorAll("label, .helptext").forEach(function (el) { el.hidden = true; });
      }
      setQuote(form, input.value);
    }
    syncKind(form);
  }

  function syncKind(form) {
    var checked = form.querySelector("input[name=kind]:checked");
    form.classList.toggle("is-not-amendment", !checked || checked.value !== "amendment");
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll(".comment-form").forEach(enhanceForm);
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  }

  function quoteSelection() {
    var selection = window.getSelection();
    var article = document.getElementById("article-text");
    var form = document.getElementById("comment-form");
    if (!selection || selection.isCollapsed || !article || !form) { return; }
    if (!article.contains(selection.anchorNode) || !article.contains(selection.focusNode)) { return; }
    var text = selection.toString().trim();
    if (text) { setQuote(form, text); }
  }

  document.addEventListener("mouseup", quoteSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) { quoteSelection(); }
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      var form = event.target.closest(".comment-form");
      if (form) { syncKind(form); }
    }
  });

  document.addEventListener("click", function (event) {
    var clear = event.target.closest(".quote-clear");
    if (clear) {
      setQuote(clear.closest("form"), "");
      return;
    }
    var cancel = event.target.closest(".action-slot .action-cancel");
    if (cancel) {
      event.preventDefault();
      var slot = cancel.closest(".action-slot");
      var comment = slot.closest(".comment");
      slot.innerHTML = "";
      var link = comment && comment.querySelector(".comment-actions a, .comment-actions button");
      if (link) { link.focus(); }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.classList.contains("action-slot")) {
      var field = target.querySelector("textarea, input:not([type=hidden]), button");
      if (field) { field.focus(); }
    }
  });

  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    enhanceAll(element.parentElement || document);
    // A comment that came back from the server after an action: move focus to its notice.
    if (element.classList && element.classList.contains("comment")) {
      var notice = element.querySelector(":scope > .notice, :scope > .form-errors");
      if (notice) {
        notice.tabIndex = -1;
        notice.focus();
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
})();

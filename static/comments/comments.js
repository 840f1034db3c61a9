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
      // The text box stays: typing the words is the keyboard path; selecting them in the
      // article (mouse or touch) or choosing a sentence fills it in.
      setQuote(form, input.value);
      input.addEventListener("input", function () { setQuote(form, input.value); });
      fillSentences(form);
    }
    syncKind(form);
  }

  // The article's words as a reader sees them: the numbered links after quoted passages are
  // not part of the law's text, so they never enter a quotation.
  function articleText(node) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll(".quote-ref").forEach(function (ref) { ref.remove(); });
    return copy.textContent;
  }

  function fillSentences(form) {
    var article = document.getElementById("article-text");
    var select = form.querySelector(".quote-sentence-select");
    if (!article || !select || select.options.length > 1) { return; }
    // Sentences end at a full stop, a Khmer khan (។) or end sign (៕), or a question mark.
    var text = articleText(article).replace(/\s+/g, " ").trim();
    var sentences = text.match(/[^.។៕?!]+[.។៕?!]*/g) || [];
    sentences.forEach(function (sentence) {
      sentence = sentence.trim();
      if (sentence.length < 2) { return; }
      var option = document.createElement("option");
      option.value = sentence;
      option.textContent = sentence.length > 120 ? sentence.slice(0, 117) + "…" : sentence;
      select.appendChild(option);
    });
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
    if (!selection || selection.isCollapsed || !selection.rangeCount || !article || !form) { return; }
    if (!article.contains(selection.anchorNode) || !article.contains(selection.focusNode)) { return; }
    var holder = document.createElement("div");
    holder.appendChild(selection.getRangeAt(0).cloneContents());
    var text = articleText(holder).replace(/\s+/g, " ").trim();
    if (text) { setQuote(form, text); }
  }

  document.addEventListener("mouseup", quoteSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) { quoteSelection(); }
  });
  // Touch screens select with handles and send no mouseup: follow the selection itself,
  // once it has settled.
  var settling = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(settling);
    settling = window.setTimeout(quoteSelection, 300);
  });

  document.addEventListener("change", function (event) {
    if (event.target.classList.contains("quote-sentence-select")) {
      var chosen = event.target.closest(".comment-form");
      if (chosen && event.target.value) { setQuote(chosen, event.target.value); }
      return;
    }
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

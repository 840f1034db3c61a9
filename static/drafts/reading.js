// Reading view: selecting words in an article offers to comment on that passage.
// Progressive enhancement only; without JavaScript the "Comment on this article" link stays.
(function () {
  "use strict";

  // On a phone the contents (dozens of entries) would push the law screens down:
  // fold them, once, when the page loads; the reader opens them with one tap.
  if (window.matchMedia("(max-width: 50rem)").matches) {
    document.querySelectorAll(".fold-on-phone").forEach(function (details) {
      details.open = false;
    });
  }
  // The phone bar's "Contents" opens the folded contents it leads to.
  document.addEventListener("click", function (event) {
    if (event.target.closest(".phone-bar-contents")) {
      document.querySelectorAll(".toc-details").forEach(function (details) { details.open = true; });
    }
  });

  function articleOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".article[data-comments-url]") : null;
  }

  function hideAll() {
    document.querySelectorAll(".article .quote-link").forEach(function (link) {
      link.hidden = true;
    });
  }

  // The selected words without the numbered links after quoted passages (not the law's text).
  function selectedText(selection) {
    var holder = document.createElement("div");
    holder.appendChild(selection.getRangeAt(0).cloneContents());
    holder.querySelectorAll(".quote-ref").forEach(function (ref) { ref.remove(); });
    return holder.textContent.replace(/\s+/g, " ").trim();
  }

  function offerQuote() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var text = selectedText(selection);
    var article = articleOf(selection.anchorNode);
    if (!text || !article || article !== articleOf(selection.focusNode)) { return; }
    if (!article.querySelector(".article-text").contains(selection.anchorNode)) { return; }
    var link = article.querySelector(".quote-link");
    if (!link) { return; }
    hideAll();
    link.href = article.dataset.commentsUrl + "?quote=" + encodeURIComponent(text) + "#comment-form";
    link.hidden = false;
  }

  document.querySelectorAll(".js-only").forEach(function (element) { element.hidden = false; });
  document.addEventListener("mouseup", offerQuote);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) { offerQuote(); }
  });
  // Touch screens select with handles and send no mouseup: follow the selection once settled.
  var settling = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(settling);
    settling = window.setTimeout(offerQuote, 300);
  });
})();

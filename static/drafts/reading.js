// Reading view: selecting words in an article offers to comment on that passage.
// Progressive enhancement only; without JavaScript the "Comment on this article" link stays.
(function () {
  "use strict";

  // On a phone the contents (dozens of entries) would push the law screens down:
  // fold them, once, when the page loads; the reader opens them with one tap.
  if (window.matchMedia("(max-width: 50rem)").matches) {
    document.querySelectorAll(".toc-details").forEach(function (details) {
      details.open = false;
    });
  }

  function articleOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".article[data-comments-url]") : null;
  }

  function hideAll() {
    document.querySelectorAll(".article .quote-link").forEach(function (link) {
      link.hidden = true;
    });
  }

  function offerQuote() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) { return; }
    var text = selection.toString().trim();
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
})();

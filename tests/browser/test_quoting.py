"""Quoting a passage works by mouse, by touch and by keyboard alone, across earlier quotes.

At 390 × 844 with touch there is no mouseup: the page follows the selection itself. With a
keyboard the quote box stays a text box (type the words, checked against the article) and a
sentence can be chosen from a list. A passage someone already quoted is a plain <mark>, so a
selection may start inside it; the numbered link after it never enters the quotation.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments import services
from comments.models import Comment

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def article_url(c):
    return reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])


def signed_in_page(browser, live_server, device, language):
    context = browser.new_context(base_url=live_server.url, **device)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "alice")
    return context, page, errors


def select_between(page, start_text: str, end_text: str) -> None:
    """Select from the start of ``start_text`` to the end of ``end_text`` in the article, as
    touch handles would: the selection changes, no mouse or key event follows."""
    page.evaluate(
        """([first, last]) => {
            const root = document.getElementById("article-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let start = null, end = null, node;
            while ((node = walker.nextNode())) {
                if (!start && node.data.includes(first)) start = [node, node.data.indexOf(first)];
                if (node.data.includes(last)) end = [node, node.data.indexOf(last) + last.length];
            }
            if (!start || !end) throw new Error("passage not found");
            const range = document.createRange();
            range.setStart(...start);
            range.setEnd(...end);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [start_text, end_text],
    )


@pytest.mark.parametrize("language", ["en", "km"])
def test_a_touch_selection_quotes_the_passage(browser, live_server, consultation, language):
    c = consultation
    context, page, errors = signed_in_page(browser, live_server, PHONE, language)
    try:
        page.goto(article_url(c))
        if language == "km":
            select_between(page, "ប្រព័ន្ធ", "ទិន្នន័យ")
            expect(page.locator(".quote-preview blockquote")).to_have_text("ប្រព័ន្ធកុំព្យូទ័រ និងទិន្នន័យ")
        else:
            select_between(page, "computer systems", "and data")
            expect(page.locator(".quote-preview blockquote")).to_have_text(
                "computer systems and data"
            )
        assert errors == []
    finally:
        context.close()


def test_a_selection_starting_inside_an_earlier_quote_leaves_out_its_link(
    browser, live_server, consultation
):
    c = consultation
    services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="Which systems?",
        quote_exact="computer systems",
    )
    context, page, errors = signed_in_page(browser, live_server, DESKTOP, "en")
    try:
        page.goto(article_url(c))
        assert page.locator("#article-text mark.quoted-passage").count() == 1
        # From inside the marked passage to past its end: the "1" of its link is not quoted.
        select_between(page, "systems", "and data")
        expect(page.locator(".quote-preview blockquote")).to_have_text("systems and data")
        assert page.locator("#id_quote_exact").input_value() == "systems and data"
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "km"])
def test_quoting_and_posting_with_the_keyboard_alone(browser, live_server, consultation, language):
    c = consultation
    context, page, errors = signed_in_page(browser, live_server, DESKTOP, language)
    try:
        page.goto(article_url(c))
        quote = page.locator("#id_quote_exact")
        expect(quote).to_be_visible()
        quote.focus()
        # Words that are not in the article are refused, with the reason, and nothing is saved.
        page.keyboard.type("computer networks")
        page.locator("#id_body").focus()
        page.keyboard.type("Please define this term.")
        page.locator("#comment-form button[type=submit]:not([name])").focus()
        page.keyboard.press("Enter")
        page.locator("#comment-form .errorlist, #comment-form .form-errors").first.wait_for()
        assert not Comment.objects.exists()
        # The refused form came back through htmx: let it settle (htmx puts focus back
        # where it was, and the form's script runs again) before moving the focus.
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

        # Choosing a sentence from the list, by keyboard, fills the quote.
        chooser = page.locator("#quote-sentence")
        chooser.focus()
        expect(chooser).to_be_focused()
        page.keyboard.press("ArrowDown")
        first_sentence = chooser.evaluate("s => s.value")
        assert first_sentence
        expect(page.locator(".quote-preview blockquote")).to_have_text(first_sentence)

        # Typing the exact words works too, and is what gets posted.
        quote.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("without right" if language == "en" else "ប្រព័ន្ធកុំព្យូទ័រ")
        body = page.locator("#id_body")
        if not body.input_value():
            body.focus()
            page.keyboard.type("Please define this term.")
        page.locator("#comment-form button[type=submit]:not([name])").focus()
        page.keyboard.press("Enter")
        page.locator(".notice").first.wait_for()
        comment = Comment.objects.get()
        expected = "without right" if language == "en" else "ប្រព័ន្ធកុំព្យូទ័រ"
        assert comment.quote_exact == expected
        assert errors == []
    finally:
        context.close()

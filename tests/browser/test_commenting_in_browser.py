"""A stakeholder reads and comments in a real browser: quotes, replies, amendments,
endorsements, Khmer, keyboard-only posting and axe-core accessibility checks."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Endorsement

from .conftest import sign_in

pytestmark = [pytest.mark.browser]

AXE = settings.BASE_DIR / "static" / "vendor" / "axe.min.js"


def select_passage(page, container: str, text: str) -> None:
    """Select ``text`` inside ``container`` the way a mouse drag would, then release."""
    page.evaluate(
        """([selector, wanted]) => {
            const root = document.querySelector(selector);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(wanted);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + wanted.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    node.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                    return;
                }
            }
            throw new Error("passage not found: " + wanted);
        }""",
        [container, text],
    )


def article_path(c):
    return reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])


def run_axe(page) -> list[dict]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    page.wait_for_function("() => window.axe !== undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_stakeholder_reads_quotes_replies_and_proposes_an_amendment(
    transactional_db, consultation, page
):
    c = consultation
    bob_comment = services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.article, body="Telecom view."
    )
    sign_in(page, "alice")
    # The list, then the draft.
    page.goto("/")
    page.get_by_role("link", name=c.draft.title_en).click()
    page.wait_for_selector(f"#{c.article.stable_id}")
    assert "Open for comments" in page.inner_text(".reading-head")

    # Selecting words in the reading view offers to comment on that passage.
    select_passage(page, f"#{c.article.stable_id} .article-text", "without right")
    link = page.locator(f"#{c.article.stable_id} .quote-link")
    link.wait_for(state="visible")
    link.click()
    page.wait_for_selector("#comment-form")
    # The page's script fills the preview once it has run; expect() waits for it.
    expect(page.locator(".quote-preview blockquote")).to_have_text("without right")
    assert "Commenting as Digital Rights Forum" in page.inner_text(".acting-as")

    # On the article page, selecting another passage replaces the quote.
    select_passage(page, "#article-text", "computer systems and data")
    expect(page.locator(".quote-preview blockquote")).to_have_text("computer systems and data")
    page.fill("#id_body", "Which **systems** are meant?")
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator(".notice", has_text="Your comment was posted.").wait_for()
    comment = Comment.objects.get(author=c.stakeholder_a)
    assert comment.quote_exact == "computer systems and data"
    page.reload()
    mark = page.locator(f'#article-text mark[data-comment="{comment.pk}"]')
    assert mark.inner_text() == "computer systems and data"
    # The numbered link after the passage leads to the comment.
    assert page.locator(f'#article-text a.quote-ref[href="#comment-{comment.pk}"]').count() == 1

    # Reply to Bob's comment in place.
    thread = page.locator(f"#comment-{bob_comment.pk}")
    thread.get_by_role("link", name="Reply", exact=True).click()
    page.fill(f"#actions-{bob_comment.pk} textarea[name=body]", "We agree with Mekong Telecom.")
    page.locator(f"#actions-{bob_comment.pk}").get_by_role("button", name="Post reply").click()
    page.locator(f"#comment-{bob_comment.pk} .replies").wait_for()
    assert "We agree with Mekong Telecom." in page.inner_text(f"#comment-{bob_comment.pk}")
    assert Comment.objects.filter(parent=bob_comment).count() == 1

    # Endorse Bob's comment (another organisation's).
    page.locator(f"#comment-{bob_comment.pk} > .comment-actions").get_by_role(
        "button", name="Endorse"
    ).click()
    page.locator(f"#comment-{bob_comment.pk} > .endorsements").wait_for()
    assert "Digital Rights Forum" in page.inner_text(f"#comment-{bob_comment.pk} > .endorsements")
    assert Endorsement.objects.filter(comment=bob_comment, organisation=c.org_a).exists()

    # Propose an amendment: the article's text is there to edit, with a live diff.
    expect(page.locator("#id_proposed_text")).to_be_hidden()
    page.get_by_label("Proposed amendment", exact=True).check()
    proposed = page.locator("#id_proposed_text")
    assert proposed.input_value() == c.article.text_en
    proposed.fill(c.article.text_en.replace("without right", "without lawful authority"))
    page.locator("#diff-preview ins").first.wait_for()
    assert "lawful authority" in page.inner_text("#diff-preview ins")
    assert "right" in page.inner_text("#diff-preview del")
    page.fill("#id_body", "Use the Budapest Convention wording.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator(".notice", has_text="Your comment was posted.").wait_for()
    amendment = Comment.objects.get(kind="amendment")
    assert "lawful authority" in amendment.proposed_text
    assert page.js_errors == []


def test_khmer_interface_and_screenshot(transactional_db, consultation, page, screenshots_dir):
    c = consultation
    services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=list(c.articles.values())[1],
        body="សូមបញ្ជាក់ន័យ",
        quote_exact="ប្រព័ន្ធកុំព្យូទ័រ",
        quote_language="km",
    )
    page.goto(reverse("comments:read", args=[c.draft.slug]))
    page.select_option("#language-select", "km")
    # Choosing in the list changes nothing by itself (WCAG 3.2.2); the Switch button does.
    assert page.locator("html").get_attribute("lang") == "en"
    page.click(".language-switch button")
    page.wait_for_selector("html[lang=km]")
    assert page.locator("#language-select option:checked").inner_text() == "ខ្មែរ"
    with translation.override("km"):
        month = formats.date_format(timezone.localtime(c.version.closes_at), "F")
    assert month != formats.date_format(timezone.localtime(c.version.closes_at), "F")
    assert month in page.inner_text(".status")  # from Django's own Khmer catalogue
    assert c.draft.title_km in page.inner_text("h1")
    assert page.locator("mark", has_text="ប្រព័ន្ធកុំព្យូទ័រ").count() == 1
    font = page.evaluate(
        "() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ខ្មែរ') && "
        "getComputedStyle(document.querySelector('.article-text[lang=km]')).fontFamily"
    )
    assert "Noto Sans Khmer" in font
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(screenshots_dir / "reading-km.png"), full_page=True)
    assert (screenshots_dir / "reading-km.png").stat().st_size > 10_000


def test_keyboard_only_commenting(transactional_db, consultation, page):
    c = consultation
    sign_in(page, "alice")
    page.goto(article_path(c))
    # Tab from the top of the page to the comment box.
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "id_body":
            break
    else:
        pytest.fail("the comment box cannot be reached with the Tab key")
    page.keyboard.type("Typed without a mouse.")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Post":
            break
    else:
        pytest.fail("the Post button cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.locator(".notice", has_text="Your comment was posted.").wait_for()
    assert Comment.objects.get().body == "Typed without a mouse."
    # Focus follows the new comment so a screen reader hears the confirmation; the
    # script moves it just after the swap, so wait for it (fails after 5 s).
    page.wait_for_function(
        "() => document.activeElement.classList.contains('notice')", timeout=5000
    )


def test_axe_reports_no_serious_or_critical_violations(transactional_db, consultation, page):
    c = consultation
    services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="A *comment* to show.",
        quote_exact="without right",
    )
    problems = {}
    page.goto("/accounts/login/")
    problems["login"] = run_axe(page)
    sign_in(page, "alice")
    page.goto("/")
    problems["list"] = run_axe(page)
    page.goto(reverse("comments:read", args=[c.draft.slug]))
    problems["reading"] = run_axe(page)
    page.goto(article_path(c))
    page.get_by_label("Proposed amendment", exact=True).check()
    problems["comment form"] = run_axe(page)
    assert problems == {"login": [], "list": [], "reading": [], "comment form": []}

"""Reading on a phone: the law comes before its contents, and an article page starts with the text.

At 390 × 844 (a phone, touch) the contents are folded into a disclosure the reader opens with one
tap; at 1366 × 900 they stay open beside the text. Without JavaScript they are open everywhere.
"""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def open_page(browser, live_server, url, device, language="en"):
    context = browser.new_context(base_url=live_server.url, **device)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


@pytest.mark.parametrize("language", ["en", "km"])
def test_on_a_phone_the_contents_are_folded_and_open_with_a_tap(
    browser, live_server, consultation, language
):
    url = reverse("comments:read", args=[consultation.draft.slug])
    context, page, errors = open_page(browser, live_server, url, PHONE, language)
    try:
        details = page.locator(".toc-details")
        assert details.evaluate("d => d.open") is False
        assert page.locator(".toc ol").is_hidden()
        page.locator(".toc-details > summary").tap()
        assert details.evaluate("d => d.open") is True
        assert page.locator(".toc ol").is_visible()
        assert errors == []
    finally:
        context.close()


def test_on_a_desktop_the_contents_stay_open(browser, live_server, consultation):
    url = reverse("comments:read", args=[consultation.draft.slug])
    context, page, errors = open_page(browser, live_server, url, DESKTOP)
    try:
        assert page.locator(".toc-details").evaluate("d => d.open") is True
        assert page.locator(".toc ol").is_visible()
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "km"])
def test_an_article_page_on_a_phone_shows_its_text_in_the_first_screen(
    browser, live_server, consultation, language
):
    c = consultation
    url = reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])
    context, page, errors = open_page(browser, live_server, url, PHONE, language)
    try:
        text = page.locator("#article-text")
        box = text.bounding_box()
        assert box is not None
        assert box["y"] < 844
        assert text.get_attribute("lang") == language
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "km"])
def test_on_a_phone_the_change_note_is_folded_and_a_bar_stays_at_hand(
    browser, live_server, consultation, language
):
    from drafts.models import DraftVersion, Provision

    c = consultation
    # A long note from the drafters, as the demo's version 2 has.
    DraftVersion.objects.filter(pk=c.version.pk).update(
        change_note_en="Article 1 narrowed after comments. " * 40,
        change_note_km="មាត្រា ១ ត្រូវបានកែសម្រួលតាមមតិយោបល់។ " * 40,
    )
    # A law longer than a screen, as every real one is.
    last = c.version.provisions.order_by("-position").first()
    DraftVersion.objects.filter(pk=c.version.pk).update(status=DraftVersion.Status.WORKING)
    for n in range(12):
        Provision.objects.create(
            version_id=c.version.pk,
            parent_id=last.parent_id,
            stable_id=f"long_{n}",
            kind="article",
            number=str(100 + n),
            heading_en=f"Long article {n}",
            heading_km=f"មាត្រាវែង {n}",
            text_en="Every provider shall keep the records this law requires. " * 12,
            text_km="អ្នកផ្តល់សេវាគ្រប់រូបត្រូវរក្សាកំណត់ត្រាដែលច្បាប់នេះតម្រូវ។ " * 12,
            position=last.position + 1 + n,
        )
    DraftVersion.objects.filter(pk=c.version.pk).update(status=DraftVersion.Status.IN_CONSULTATION)
    url = reverse("comments:read", args=[c.draft.slug])
    context, page, errors = open_page(browser, live_server, url, PHONE, language)
    try:
        note = page.locator(".change-note")
        assert note.evaluate("d => d.open") is False
        first_article = page.locator(".reading-text .article").first
        assert first_article.bounding_box()["y"] < 844
        bar = page.locator(".phone-bar")
        assert bar.is_visible()
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(300)
        box = bar.bounding_box()
        # Still on screen, at its foot, after scrolling into the law.
        assert box is not None and box["y"] >= 844 - 120 and box["y"] + box["height"] <= 844 + 1
        bar.locator(".phone-bar-contents").tap()
        assert page.locator(".toc-details").evaluate("d => d.open") is True
        assert errors == []
    finally:
        context.close()
    context, page, errors = open_page(browser, live_server, url, DESKTOP, language)
    try:
        assert page.locator(".change-note").evaluate("d => d.open") is True
        assert page.locator(".phone-bar").is_hidden()
    finally:
        context.close()

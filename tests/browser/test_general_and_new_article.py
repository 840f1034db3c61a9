"""A comment on the whole draft and a proposed new article, in the browser.

An individual signs in, follows "Comment on the whole draft" from the reading page and
posts; then proposes a new article after article 1, in both languages, from the article's
page. In English and Khmer, on a phone (390 × 844, touch) and on a desktop.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}

WORDS = {
    "en": ("The law as a whole needs a review clause.", "Define data before using it."),
    "km": ("ច្បាប់ទាំងមូលត្រូវការប្រការពិនិត្យឡើងវិញ។", "សូមកំណត់និយមន័យទិន្នន័យជាមុនសិន។"),
}


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "km"])
def test_a_general_comment_and_a_new_article_proposal(
    browser, live_server, consultation, device, language
):
    c = consultation
    context = browser.new_context(base_url=live_server.url, **device)
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    general_words, proposal_words = WORDS[language]
    try:
        sign_in(page, "citizen")
        page.goto(reverse("comments:read_version", args=[c.draft.slug, c.version.number]))
        general_url = reverse("comments:general", args=[c.draft.slug, c.version.number])
        entry = page.locator(f".general-entry a[href='{general_url}']")
        expect(entry).to_be_visible()
        entry.click()
        page.wait_for_url(f"**{general_url}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.fill("#id_body", general_words)
        page.locator("#comment-form button[type=submit]").click()
        expect(page.locator(".comment-body", has_text=general_words)).to_be_visible()
        general = Comment.objects.get(body=general_words)
        assert general.provision_id is None and general.organisation_id is None

        page.goto(
            reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])
        )
        new_article_url = reverse(
            "comments:new_article", args=[c.draft.slug, c.version.number, c.article.stable_id]
        )
        page.locator(f".article-tools a[href='{new_article_url}']").click()
        page.wait_for_url(f"**{new_article_url}")
        page.fill("#id_body", proposal_words)
        page.fill("#id_proposed_text", "Data means any representation of facts.")
        page.fill("#id_proposed_text_km", "ទិន្នន័យ មានន័យថា ការតំណាងការពិតណាមួយ។")
        page.locator("#comment-form button[type=submit]").click()
        expect(page.locator(".proposed-new-article")).to_be_visible()
        expect(page.locator(".proposed-new-article [lang=km]")).to_contain_text("ទិន្នន័យ")
        proposal = Comment.objects.get(body=proposal_words)
        assert proposal.kind == "new_article" and proposal.provision_id == c.article.pk
        assert errors == []
    finally:
        context.close()

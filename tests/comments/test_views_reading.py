"""The draft list and the reading view: status, counts, versions, languages, escaping."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Visibility
from drafts.models import DraftVersion, Provision
from tests.factories import DraftFactory, VersionFactory, build_articles

from .conftest import post_comment, published_version, reply_to


def test_list_shows_open_status_deadline_and_visible_comment_counts(consultation, client_for):
    c = consultation
    post_comment(c, body="Public")
    post_comment(c, body="Restricted", visibility=Visibility.RESTRICTED)
    page = client_for(None).get(reverse("comments:draft_list")).content.decode()
    assert "IT Crimes Law" in page or c.draft.title in page
    assert "Open for comments" in page
    assert timezone.localtime(c.version.closes_at).strftime("%Y") in page
    assert "1 comment" in page
    assert "2 comments" not in page
    page = client_for(c.drafter).get(reverse("comments:draft_list")).content.decode()
    assert "2 comments" in page


def test_list_says_closed_and_upcoming(consultation, client_for):
    c = consultation
    c.version.closes_at = timezone.now() - timedelta(days=1)
    c.version.save()
    upcoming = DraftFactory(lead_ministry=c.lead_ministry, title_en="Upcoming Law")
    published_version(
        upcoming,
        status=DraftVersion.Status.IN_CONSULTATION,
        opens_at=timezone.now() + timedelta(days=3),
        closes_at=timezone.now() + timedelta(days=30),
        published_at=timezone.now(),
    )
    page = client_for(None).get(reverse("comments:draft_list")).content.decode()
    assert "Consultation closed" in page
    assert "Opens soon" in page


def test_working_only_draft_is_listed_for_its_drafters_only(consultation, client_for):
    c = consultation
    hidden = DraftFactory(lead_ministry=c.lead_ministry, title_en="Secret Working Law")
    build_articles(VersionFactory(draft=hidden))
    assert "Secret Working Law" not in client_for(c.stakeholder_a).get("/").content.decode()
    assert "Secret Working Law" in client_for(c.drafter).get("/").content.decode()
    url = reverse("comments:read", args=[hidden.slug])
    assert client_for(c.stakeholder_a).get(url).status_code == 404
    assert client_for(c.drafter).get(url).status_code == 200


def test_reading_view_has_contents_anchors_paragraphs_counts_and_permalinks(
    consultation, client_for
):
    c = consultation
    article = c.article
    Provision.objects.filter(pk=article.pk).update(text_en="First paragraph.\n\nSecond paragraph.")
    post_comment(c, body="One")
    response = client_for(None).get(reverse("comments:read", args=[c.draft.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    for stable_id in c.articles:
        assert f'id="{stable_id}"' in page
        assert f'href="#{stable_id}"' in page
    assert 'id="chp_1"' in page
    assert "<p>First paragraph.</p><p>Second paragraph.</p>" in page
    assert "1 comment<span" in page
    assert reverse("comments:article", args=[c.draft.slug, 1, article.stable_id]) in page


def test_version_switcher_marks_the_current_version_and_shows_the_change_note(
    consultation, client_for
):
    c = consultation
    c.version.status = DraftVersion.Status.SUPERSEDED
    c.version.save()
    published_version(
        c.draft,
        2,
        parent=c.version,
        status=DraftVersion.Status.IN_CONSULTATION,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=9),
        published_at=timezone.now(),
        change_note_en="Article 2 narrowed after comments.",
    )
    client = client_for(None)
    page = client.get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert "Article 2 narrowed after comments." in page
    assert '<strong aria-current="page">' in page
    assert "current)" in page
    old = client.get(reverse("comments:read_version", args=[c.draft.slug, 1])).content.decode()
    assert "Not the current version" in old
    assert client.get(reverse("comments:read_version", args=[c.draft.slug, 9])).status_code == 404


def test_working_version_is_readable_only_as_policies_allow(consultation, client_for):
    c = consultation
    working = VersionFactory(draft=c.draft, number=2, parent=c.version)
    build_articles(working)
    url = reverse("comments:read_version", args=[c.draft.slug, 2])
    assert client_for(c.stakeholder_a).get(url).status_code == 404
    assert client_for(c.drafter).get(url).status_code == 200
    assert client_for(c.official).get(url).status_code == 200
    # The current version stays the published one, even for drafters.
    page = client_for(c.drafter).get(reverse("comments:read", args=[c.draft.slug])).content
    assert b"Not the current version" not in page


def test_khmer_titles_and_text_with_english_fallback(consultation, client_for):
    c = consultation
    Provision.objects.filter(pk=c.article.pk).update(text_km="")
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = client.get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert '<html lang="km">' in page
    assert c.draft.title_km in page
    assert "ច្បាប់នេះការពារប្រព័ន្ធកុំព្យូទ័រ" in page  # second article, in Khmer
    assert 'lang="en"' in page
    assert "Nobody shall access" in page


def test_quoted_passages_are_marked_and_text_is_escaped(consultation, client_for):
    c = consultation
    Provision.objects.filter(pk=c.article.pk).update(
        text_en="Access <script>alert(1)</script> without right is an offence."
    )
    c.article.refresh_from_db()
    comment = post_comment(c, body="Define it", quote_exact="without right")
    page = client_for(None).get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'href="/comments/{comment.pk}/"' in page
    assert f'data-comment="{comment.pk}">without right</mark>' in page


def test_hidden_and_withdrawn_quotes_are_not_marked(consultation, client_for):
    c = consultation
    from comments import services

    comment = post_comment(c, body="x", quote_exact="without right")
    services.comment_withdraw(comment=comment, by=c.stakeholder_a)
    page = client_for(None).get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert "<mark" not in page


def test_reply_counts_in_the_article_count(consultation, client_for):
    c = consultation
    first = post_comment(c)
    reply_to(first, c.stakeholder_b)
    page = client_for(None).get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert "2 comments<span" in page


@pytest.mark.parametrize("path", ["comments:draft_list", "accounts:login"])
def test_pages_have_a_language_switch(client, db, path):
    page = client.get(reverse(path)).content.decode()
    assert 'name="language"' in page
    assert "ខ្មែរ" in page

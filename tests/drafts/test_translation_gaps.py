"""Both languages are first-class: a version says how much of it lacks a translation, the pages
say when an article is shown in the other language, publishing asks for a confirmation of the
count, and the packet marks a missing translation instead of printing a bare heading."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from drafts import selectors, services
from drafts.models import DraftVersion, Provision
from packets.models import Packet
from packets.rendering import PacketDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def working(consultation):
    """A working version 2 whose first article lost its Khmer text and a new English-only article."""
    c = consultation
    version = services.version_start_next(draft=c.draft, by=c.drafter)
    article = Provision.objects.get(version=version, stable_id=c.article.stable_id)
    services.provision_edit(provision=article, by=c.drafter, revision=article.revision, text_km="")
    return c, version


def test_gaps_are_counted_per_language(working):
    _c, version = working
    gaps = selectors.translation_gaps(Provision.objects.for_reading(version))
    assert gaps.missing_km == 1
    assert gaps.missing_en == 0
    assert gaps.total == 1


def test_publishing_with_gaps_needs_the_count_confirmed(working):
    c, version = working
    closes = timezone.now() + timedelta(days=30)
    with pytest.raises(DomainError) as refused:
        services.version_publish(version=version, by=c.drafter, closes_at=closes)
    assert refused.value.field == "confirm_missing_translations"
    assert "1 provision lacks" in refused.value.message
    with pytest.raises(DomainError):  # a count that is not the current one is not a confirmation
        services.version_publish(
            version=version, by=c.drafter, closes_at=closes, missing_translations=2
        )
    services.version_publish(
        version=version, by=c.drafter, closes_at=closes, missing_translations=1
    )
    version.refresh_from_db()
    assert version.status == DraftVersion.Status.IN_CONSULTATION


def test_the_desk_shows_the_gaps_and_the_confirmation(working, client):
    c, version = working
    client.force_login(c.drafter)
    url = reverse("desk:publish", args=[c.draft.slug, version.number])
    page = client.get(url).content.decode()
    assert "1 lack Khmer text" in page
    assert 'name="confirm_missing_translations"' in page
    closes = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"closes_at": closes, "missing_translations": 1})
    assert refused.status_code == 200
    assert "Confirm that you publish" in refused.content.decode()
    published = client.post(
        url, {"closes_at": closes, "missing_translations": 1, "confirm_missing_translations": "on"}
    )
    assert published.status_code == 302
    assert (
        "1 lack Khmer text"
        in client.get(reverse("desk:version", args=[c.draft.slug, version.number])).content.decode()
    )


def test_the_khmer_page_says_which_article_is_shown_in_english(working, client):
    c, version = working
    services.version_publish(
        version=version,
        by=c.drafter,
        closes_at=timezone.now() + timedelta(days=30),
        missing_translations=1,
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = client.get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert "translation-notice" in page
    assert page.count('class="translation-note"') == 1
    article = Provision.objects.get(version=version, stable_id=c.article.stable_id)
    assert article.text_en.split()[0] in page
    article_page = client.get(
        reverse("comments:article", args=[c.draft.slug, version.number, article.stable_id])
    ).content.decode()
    assert 'class="translation-note"' in article_page
    assert 'lang="en" id="article-text"' in article_page


def test_the_khmer_packet_marks_the_missing_text_and_gives_the_english(working):
    c, version = working
    services.version_publish(
        version=version,
        by=c.drafter,
        closes_at=timezone.now() + timedelta(days=30),
        missing_translations=1,
    )
    packet = Packet(version=version, language=Packet.Language.KHMER, fingerprint="k" * 64)
    document = PacketDocument(packet)
    unit = next(u for u in document.parts if u.get("section") == "text")
    html = document.part_html(unit, first_in_section=True)
    assert "translation-missing" in html
    article = Provision.objects.get(version=version, stable_id=c.article.stable_id)
    assert article.text_en.split()[0] in html
    assert '<div lang="en">' in html

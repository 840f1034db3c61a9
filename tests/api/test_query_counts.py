"""Every API list runs the same number of queries for 5 rows as for 50."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import services as comment_services
from drafts import services as draft_services
from drafts.models import DraftVersion
from packets.models import Packet
from tests.factories import (
    DraftFactory,
    OrganisationFactory,
    VersionFactory,
    build_articles,
    member,
    open_version,
)

SIZES = (5, 50)


# Builders take the total wanted and how many were already built, and return
# the object the URL needs (when there is one).


def _comments(c, total, built):
    """Threads with a reply and an endorsement; every third restricted, every fifth hidden."""
    for i in range(built, total):
        author = c.stakeholder_a if i % 2 else c.stakeholder_b
        comment = comment_services.comment_create(
            by=author,
            version=c.version,
            provision=c.article,
            body=f"Comment {i}",
            visibility="restricted" if i % 3 == 0 else "public",
            kind="amendment" if i % 4 == 0 else "comment",
            proposed_text="New text." if i % 4 == 0 else "",
        )
        comment_services.comment_reply(by=c.drafter, parent=comment, body=f"Reply {i}")
        endorser = c.stakeholder_b if author == c.stakeholder_a else c.stakeholder_a
        if comment.visibility == "public":
            comment_services.endorsement_create(comment=comment, by=endorser)
        if i % 5 == 0:
            comment_services.comment_hide(comment=comment, by=c.moderator, reason="Off topic")


def _drafts(c, total, built):
    partner = OrganisationFactory(slug="partner")
    for i in range(built, total):
        draft = DraftFactory(lead_ministry=c.lead_ministry, slug=f"law-{i}")
        draft.drafting_partners.add(partner)
        version = VersionFactory(draft=draft)
        build_articles(version, chapters=((1, ("Scope",)),))
        open_version(version)


def _versions(c, total, built):
    for i in range(built, total):
        VersionFactory(draft=c.draft, number=i + 2, status=DraftVersion.Status.SUPERSEDED)


def _provisions(c, total, built):
    """A new draft of ``total`` articles, with a comment on one of them."""
    draft = DraftFactory(lead_ministry=c.lead_ministry, slug=f"big-{total}")
    version = VersionFactory(draft=draft)
    build_articles(version, chapters=((1, tuple(f"Article {i}" for i in range(total))),))
    open_version(version)
    article = version.provisions.filter(kind="article").first()
    comment_services.comment_create(
        by=c.stakeholder_a, version=version, provision=article, body="On the big law."
    )
    return version


def _organisations(c, total, built):
    for i in range(built, total):
        OrganisationFactory(slug=f"ngo-{i}")


def _packets(c, total, built):
    for i in range(built, total):
        Packet.objects.create(
            version=c.version,
            language="en",
            fingerprint=f"{i:064d}",
            include_restricted=bool(i % 2),
            requested_by=c.official,
        )


def _redline(c, total, built):
    version = _provisions(c, total, built)
    v2 = draft_services.version_start_next(draft=version.draft, by=c.drafter)
    for provision in v2.provisions.filter(kind="article")[:3]:
        draft_services.provision_edit(
            provision=provision, by=c.drafter, revision=provision.revision, text_en="Changed."
        )
    draft_services.version_publish(
        version=v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=3)
    )
    return v2


CASES = {
    # name: (builder, url maker, most queries allowed for any reader)
    # Comment lists load their rows' attached files in one more query (two for threads:
    # the first comments, then their replies).
    "comments": (_comments, lambda c, made: "/api/v1/comments/?page_size=200", 7),
    "threads": (_comments, lambda c, made: "/api/v1/threads/?page_size=200", 9),
    "comments-filtered": (
        _comments,
        lambda c, made: (
            f"/api/v1/comments/?version={c.version.pk}&ordering=most_endorsed"
            "&organisation_kind=ngo&page_size=200"
        ),
        7,
    ),
    "matrix": (
        _comments,
        lambda c, made: f"/api/v1/versions/{c.version.pk}/matrix/?page_size=200",
        5,
    ),
    "drafts": (_drafts, lambda c, made: "/api/v1/drafts/?page_size=200", 7),
    "versions": (
        _versions,
        lambda c, made: f"/api/v1/drafts/{c.draft.slug}/versions/?page_size=200",
        7,
    ),
    "provisions": (
        _provisions,
        lambda c, made: f"/api/v1/versions/{made.pk}/provisions/?page_size=200",
        6,
    ),
    "provision-tree": (
        _provisions,
        lambda c, made: f"/api/v1/versions/{made.pk}/provisions/tree/",
        5,
    ),
    "redline": (
        _redline,
        lambda c, made: f"/api/v1/versions/{made.pk}/redline/?page_size=200",
        8,
    ),
    "organisations": (_organisations, lambda c, made: "/api/v1/organisations/?page_size=200", 3),
    "packets": (
        _packets,
        lambda c, made: f"/api/v1/versions/{c.version.pk}/packets/?page_size=200",
        6,
    ),
}
READERS = ("stakeholder_b", "drafter")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 403), (url, response.content[:300])
    return len(queries)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_queries_for_5_and_50_rows(
    consultation, api_client_for, case, reader, django_assert_max_num_queries
):
    """Rows are added between the two measurements: the count must not move."""
    c = consultation
    builder, make_url, limit = CASES[case]
    client = api_client_for(getattr(c, reader))
    counts = []
    built = 0
    for size in SIZES:
        made = builder(c, size, built)
        built = size
        url = make_url(c, made)
        client.get(url)  # warm caches that are per process, not per request
        counts.append(_count(client, url))
        with django_assert_max_num_queries(limit):
            client.get(url)
    assert counts[0] == counts[1], (case, reader, counts)


def test_rows_really_grow(consultation, api_client_for):
    """The lists measured above do hold 50 rows at the second size."""
    c = consultation
    _comments(c, 50, 0)
    drafter = api_client_for(c.drafter)
    assert drafter.get("/api/v1/comments/?page_size=200").json()["count"] == 100
    assert drafter.get("/api/v1/threads/?page_size=200").json()["count"] == 50
    bob = api_client_for(c.stakeholder_b)
    # Bob sees the public threads, his own restricted ones, and every public reply.
    visible_threads = bob.get("/api/v1/threads/?page_size=200").json()["count"]
    assert 25 < visible_threads < 50
    assert member(organisation=c.org_b, username="bob2")

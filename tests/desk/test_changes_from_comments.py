"""What changed because of comments: a drafter's edit and an applied amendment, as the public page,
the API and the packet show them, each only with the comments its reader may see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services as comment_services
from comments.trace import changes_from_comments
from drafts import services as draft_services
from packets.models import Packet
from packets.rendering import PacketDocument

from .conftest import working_article

ART_2 = "chp_1__art_2"
ART_3 = "chp_2__art_3"


@pytest.fixture
def traced(consultation, desk_round):
    """v2: art 1 gets the amendment; art 2 is edited answering the public comment; art 3 is
    edited answering the restricted one. Then v2 is published."""
    c = consultation
    comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Intent is now **required**.",
    )
    art_2 = working_article(desk_round, ART_2)
    comment_services.provision_edit_checked(
        provision=art_2,
        by=c.drafter,
        revision=art_2.revision,
        text_en="Purpose: only the narrowest access is an offence.",
        addresses=[desk_round.comment],
    )
    comment_services.disposition_record(
        comment=desk_round.comment, by=c.drafter, status="partly_accepted", response="Narrowed."
    )
    art_3 = working_article(desk_round, ART_3)
    comment_services.provision_edit_checked(
        provision=art_3,
        by=c.drafter,
        revision=art_3.revision,
        text_en="Offences: a confidential rewording.",
        addresses=[desk_round.restricted],
    )
    draft_services.version_publish(
        version=desk_round.v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    desk_round.v2.refresh_from_db()
    return desk_round


def page_url(c, stable_id=None):
    if stable_id:
        return reverse(
            "comments:article_changes",
            kwargs={"slug": c.draft.slug, "number": 2, "stable_id": stable_id},
        )
    return reverse("comments:version_changes", kwargs={"slug": c.draft.slug, "number": 2})


def test_the_public_page_shows_the_edit_its_comments_and_decisions(client, consultation, traced):
    c = consultation
    page = client.get(page_url(c))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="behind-{traced.comment.pk}-addressed"' in html
    assert "Digital Rights Forum" in html
    assert "NGO" in html
    assert "Partly accepted" in html
    assert "Narrowed." in html
    assert "<del>" in html
    assert "narrowest" in html
    assert f'id="behind-{traced.amendment.pk}-applied"' in html
    assert "Intent is now <strong>required</strong>." in html
    # the restricted comment, and the change only it is behind, are not shown
    assert "A confidential concern." not in html
    assert f'id="{ART_3}"' not in html

    article = client.get(page_url(c, ART_2))
    assert article.status_code == 200
    assert f'id="behind-{traced.comment.pk}-addressed"' in article.content.decode()
    assert f'id="behind-{traced.amendment.pk}-applied"' not in article.content.decode()


def test_the_restricted_comment_is_shown_to_those_who_may_see_it(client, consultation, traced):
    c = consultation
    client.force_login(c.stakeholder_b)  # its author's organisation
    html = client.get(page_url(c)).content.decode()
    assert f'id="behind-{traced.restricted.pk}-addressed"' in html
    client.force_login(c.stakeholder_a)
    html = client.get(page_url(c)).content.decode()
    assert "A confidential concern." not in html


def test_links_from_the_version_and_the_article_pages(client, consultation, traced):
    c = consultation
    read = client.get(reverse("comments:read_version", kwargs={"slug": c.draft.slug, "number": 2}))
    assert page_url(c) in read.content.decode()
    article = client.get(
        reverse("comments:article", kwargs={"slug": c.draft.slug, "number": 2, "stable_id": ART_2})
    )
    assert page_url(c, ART_2) in article.content.decode()


def test_the_selector_runs_a_fixed_number_of_queries(
    consultation, traced, django_assert_max_num_queries
):
    c = consultation
    for _ in range(3):  # more comments behind the same change cost no query
        extra = comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.articles[ART_2], body="More."
        )
        comment_services.disposition_address(
            comment=extra, by=c.drafter, version=traced.v2, change_id=1
        )
    # the parent version, the draft, the reader's memberships, the comments, the two versions
    with django_assert_max_num_queries(6):
        trace = changes_from_comments(version=traced.v2, user=c.stakeholder_a)
        rendered = [
            (b.organisation_name, b.status_label, b.response_html, item.change.text_html_en)
            for item in trace.changes
            for b in item.comments
        ]
    assert len(rendered) == 5


def test_the_api_lists_changes_and_their_comments(api_client_for, consultation, traced):
    c = consultation
    url = f"/api/v1/versions/{traced.v2.pk}/changes-from-comments/"
    response = api_client_for(None).get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["compared_with"] == traced.v1.pk
    by_id = {row["stable_id"]: row for row in data["changes"]}
    assert set(by_id) == {"chp_1__art_1", ART_2}
    entry = by_id[ART_2]["comments"][0]
    assert entry["comment_id"] == traced.comment.pk
    assert entry["how"] == "addressed"
    assert entry["organisation"]["name"] == "Digital Rights Forum"
    assert entry["disposition"]["status"] == "partly_accepted"
    assert entry["disposition"]["response_html"] == "<p>Narrowed.</p>\n"
    assert by_id[ART_2]["change"]["text_diff_en"]
    assert "A confidential concern." not in response.content.decode()

    insider = api_client_for(c.stakeholder_b).get(url).json()
    assert ART_3 in {row["stable_id"] for row in insider["changes"]}


def _redline_html(version, compare_to, include_restricted):
    packet = Packet(
        version=version,
        compare_to=compare_to,
        language="en",
        include_restricted=include_restricted,
        fingerprint="x" * 64,
    )
    document = PacketDocument(packet)
    return "".join(
        document.part_html(part, first_in_section=True)
        for part in document.parts
        if part["section"] == "redline"
    )


def test_the_packet_redline_lists_the_comments_behind_each_change(consultation, traced):
    html = _redline_html(traced.v2, traced.v1, include_restricted=False)
    assert f"#{traced.comment.pk}" in html
    assert "Digital Rights Forum" in html
    assert "Partly accepted" in html
    assert "Narrowed." in html
    assert f"#{traced.amendment.pk}" in html
    assert "A confidential concern." not in html
    restricted = _redline_html(traced.v2, traced.v1, include_restricted=True)
    assert "A confidential concern." in restricted

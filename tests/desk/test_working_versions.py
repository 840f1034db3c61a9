"""Working versions in the browser flow: start, edit (with conflicts), add, move, renumber, remove."""

import pytest
from django.urls import reverse

from drafts import services as draft_services
from drafts.models import DraftVersion, Provision

from .conftest import working_article

ART = "chp_1__art_1"


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def test_start_next_version_from_the_desk(client, consultation):
    c = consultation
    client.force_login(c.drafter)
    home = client.get(url("desk:home", slug=c.draft.slug))
    assert home.status_code == 200
    assert b"Start the next version" in home.content
    response = client.post(url("desk:start_version", slug=c.draft.slug))
    v2 = DraftVersion.objects.get(draft=c.draft, number=2)
    assert response.status_code == 302
    assert response["Location"] == url("desk:version", slug=c.draft.slug, number=2)
    assert v2.status == DraftVersion.Status.WORKING
    assert sorted(v2.provisions.values_list("stable_id", flat=True)) == sorted(
        c.version.provisions.values_list("stable_id", flat=True)
    )
    # a second start is refused with a message, not an error page
    again = client.post(url("desk:start_version", slug=c.draft.slug), follow=True)
    assert b"A working version already exists" in again.content


def test_edit_english_and_khmer_with_reason(client, consultation, desk_round):
    c = consultation
    article = working_article(desk_round)
    client.force_login(c.drafter)
    edit_url = url("desk:provision_edit", slug=c.draft.slug, number=2, stable_id=ART)
    page = client.get(edit_url)
    assert f'name="revision" value="{article.revision}"'.encode() in page.content
    response = client.post(
        edit_url,
        {
            "number": "1",
            "heading_en": "Scope of this law",
            "heading_km": "វិសាលភាព",
            "text_en": "This law applies to computer systems.",
            "text_km": "ច្បាប់នេះអនុវត្តចំពោះប្រព័ន្ធកុំព្យូទ័រ។",
            "reason": "answers comment #1",
            "revision": article.revision,
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.heading_en == "Scope of this law"
    assert article.text_km == "ច្បាប់នេះអនុវត្តចំពោះប្រព័ន្ធកុំព្យូទ័រ។"
    assert article.revision == 2
    assert article.history.first().history_change_reason == "answers comment #1"
    assert article.history.first().history_user == c.drafter


def test_two_drafters_editing_the_same_article_conflict(
    client, consultation, desk_round, second_drafter
):
    """Both open revision 1; the first save wins, the second sees both texts and keeps theirs."""
    c = consultation
    article = working_article(desk_round)
    edit_url = url("desk:provision_edit", slug=c.draft.slug, number=2, stable_id=ART)
    base = {
        "number": article.number,
        "heading_en": article.heading_en,
        "heading_km": article.heading_km,
        "text_km": article.text_km,
        "reason": "",
        "revision": article.revision,
    }
    client.force_login(c.drafter)
    first = client.post(edit_url, {**base, "text_en": "First drafter's wording."})
    assert first.status_code == 302

    client.force_login(second_drafter)
    second = client.post(edit_url, {**base, "text_en": "Second drafter's wording."})
    assert second.status_code == 409
    body = second.content.decode()
    assert "Somebody else saved this provision" in body
    assert "First drafter&#x27;s wording." in body  # theirs is shown
    assert "Second drafter&#x27;s wording.</textarea>" in body  # mine is kept in the form
    assert 'name="revision" value="2"' in body  # saving again is now deliberate
    article.refresh_from_db()
    assert article.text_en == "First drafter's wording."  # nothing overwritten

    third = client.post(edit_url, {**base, "revision": 2, "text_en": "Merged wording."})
    assert third.status_code == 302
    article.refresh_from_db()
    assert article.text_en == "Merged wording."
    assert article.revision == 3


def test_add_move_renumber_remove_through_the_views(client, consultation, desk_round):
    c = consultation
    slug = c.draft.slug
    client.force_login(c.drafter)
    response = client.post(
        url("desk:provision_add", slug=slug, number=2),
        {
            "kind": "article",
            "parent": "chp_1",
            "after": ART,
            "number": "1a",
            "heading_en": "Definitions",
            "text_en": "In this law, a computer system is any device processing data.",
            "text_km": "",
        },
    )
    assert response.status_code == 302
    added = Provision.objects.get(version=desk_round.v2, heading_en="Definitions")
    assert added.parent.stable_id == "chp_1"
    order = list(Provision.objects.for_reading(desk_round.v2).values_list("stable_id", flat=True))
    assert order.index(added.stable_id) == order.index(ART) + 1

    # an "after" that is not under the chosen parent is refused by the form
    bad = client.post(
        url("desk:provision_add", slug=slug, number=2),
        {"kind": "article", "parent": "chp_2", "after": ART, "text_en": "x"},
    )
    assert bad.status_code == 200
    assert b"under the same parent" in bad.content

    moved = client.post(
        url("desk:provision_move", slug=slug, number=2, stable_id=ART),
        {"parent": "chp_2", "after": "chp_2__art_3"},
    )
    assert moved.status_code == 302
    article = working_article(desk_round)
    assert article.parent.stable_id == "chp_2"

    client.post(url("desk:renumber", slug=slug, number=2))
    article.refresh_from_db()
    assert article.number == "4"

    removed = client.post(
        url("desk:provision_remove", slug=slug, number=2, stable_id="chp_1__art_2"),
        {"reason": "Merged into article 1"},
    )
    assert removed.status_code == 302
    gone = working_article(desk_round, "chp_1__art_2")
    assert gone.removed_at is not None
    assert gone.removed_by == c.drafter

    page = client.get(url("desk:version", slug=slug, number=2))
    body = page.content.decode()
    assert 'id="chp_1__art_2" class="desk-provision depth-1 kind-article is-removed"' in body
    assert "<del>Article 2 — Purpose</del>" in body
    assert "Moved" in body  # change marks against version 1


def test_query_count_of_the_working_view_is_fixed(
    client, consultation, desk_round, django_assert_max_num_queries
):
    c = consultation
    client.force_login(c.drafter)
    page_url = url("desk:version", slug=c.draft.slug, number=2)
    client.get(page_url)
    with django_assert_max_num_queries(14):
        client.get(page_url)
    for index in range(15):
        draft_services.provision_add(
            version=desk_round.v2,
            by=c.drafter,
            kind="article",
            parent=working_article(desk_round, "chp_2"),
            number=f"{10 + index}",
            text_en=f"Extra article {index}.",
        )
    with django_assert_max_num_queries(14):
        response = client.get(page_url)
    assert response.content.count(b"Extra article") == 15


@pytest.mark.parametrize("role", ["stakeholder_a", "other_drafter", "official", "moderator"])
def test_only_the_drafting_ministry_may_edit(client, consultation, desk_round, role):
    c = consultation
    article = working_article(desk_round)
    client.force_login(getattr(c, role))
    edit_url = url("desk:provision_edit", slug=c.draft.slug, number=2, stable_id=ART)
    assert client.get(edit_url).status_code == 403
    response = client.post(
        edit_url, {"text_en": "Hijacked.", "revision": article.revision, "number": "1"}
    )
    assert response.status_code == 403
    assert b"Only drafters of the lead ministry may edit this draft." in response.content
    article.refresh_from_db()
    assert article.text_en != "Hijacked."
    for name, kwargs in (
        ("desk:provision_add", {"number": 2}),
        ("desk:provision_move", {"number": 2, "stable_id": ART}),
        ("desk:provision_remove", {"number": 2, "stable_id": ART}),
        ("desk:publish", {"number": 2}),
    ):
        assert client.post(url(name, slug=c.draft.slug, **kwargs), {}).status_code == 403, name
    assert client.post(url("desk:renumber", slug=c.draft.slug, number=2)).status_code == 403
    assert client.post(url("desk:start_version", slug=c.draft.slug)).status_code == 403
    assert working_article(desk_round, ART).removed_at is None


def test_stakeholder_sees_a_clear_403_on_the_desk(client, consultation, desk_round):
    c = consultation
    client.force_login(c.stakeholder_a)
    for page in (
        url("desk:home", slug=c.draft.slug),
        url("desk:version", slug=c.draft.slug, number=2),
        url("desk:review", slug=c.draft.slug, number=1),
    ):
        response = client.get(page)
        assert response.status_code == 403
        assert b"The drafting desk is for drafters of the lead ministry" in response.content


def test_invited_partner_drafter_may_edit(client, consultation, desk_round):
    c = consultation
    c.draft.drafting_partners.add(c.other_ministry)
    article = working_article(desk_round)
    client.force_login(c.other_drafter)
    response = client.post(
        url("desk:provision_edit", slug=c.draft.slug, number=2, stable_id=ART),
        {"number": "1", "text_en": "Partner wording.", "revision": article.revision},
    )
    assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in(client, consultation, desk_round):
    response = client.get(url("desk:home", slug=consultation.draft.slug))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_frozen_version_cannot_be_edited(client, consultation):
    c = consultation
    client.force_login(c.drafter)
    response = client.get(url("desk:provision_edit", slug=c.draft.slug, number=1, stable_id=ART))
    assert response.status_code == 403
    assert b"its text cannot change" in response.content

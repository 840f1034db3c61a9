"""The review desk: filters and counts, dispositions (with conflicts), applying amendments."""

import pytest
from django.urls import reverse

from comments import services as comment_services
from comments.models import Comment, Disposition
from core.errors import ConflictError, DomainError, PolicyDenied
from drafts import services as draft_services
from stakeholders.models import User

from .conftest import working_article
from .test_triage import REVIEW_QUERIES


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def test_review_lists_every_comment_with_facet_counts(client, consultation, desk_round):
    c = consultation
    comment_services.comment_reply(by=c.drafter, parent=desk_round.comment, body="A reply.")
    client.force_login(c.drafter)
    response = client.get(url("desk:review", slug=c.draft.slug, number=1))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.pk for r in rows] == [
        desk_round.amendment.pk,
        desk_round.comment.pk,
        desk_round.restricted.pk,
    ]  # document order; replies are not rows; drafters see restricted comments
    facets = {f["name"]: f for f in response.context["facets"]}
    kinds = {o["value"]: o["count"] for o in facets["kind"]["options"]}
    assert kinds == {"amendment": 1, "comment": 2}
    dispositions = {o["value"]: o["count"] for o in facets["disposition"]["options"]}
    assert dispositions["pending"] == 3
    assert dispositions["accepted"] == 0
    orgs = {o["label"]: o["count"] for o in facets["organisation"]["options"]}
    assert orgs == {"Digital Rights Forum": 1, "Mekong Telecom": 2}
    body = response.content.decode()
    assert "<ins>intentionally </ins>" in body  # the amendment's diff against the text commented on


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "amendment"}, ["amendment"]),
        ({"organisation_kind": "ngo"}, ["comment"]),
        ({"article": "chp_2__art_3"}, ["restricted"]),
        ({"disposition": "pending", "kind": "comment"}, ["comment", "restricted"]),
    ],
)
def test_review_filters(client, consultation, desk_round, query, expected):
    c = consultation
    client.force_login(c.drafter)
    response = client.get(url("desk:review", slug=c.draft.slug, number=1), query)
    assert [r.pk for r in response.context["rows"]] == [
        getattr(desk_round, name).pk for name in expected
    ]


def test_review_filter_by_organisation(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    response = client.get(
        url("desk:review", slug=c.draft.slug, number=1), {"organisation": c.org_b.pk}
    )
    assert {r.pk for r in response.context["rows"]} == {
        desk_round.amendment.pk,
        desk_round.restricted.pk,
    }


def test_review_query_count_does_not_grow(
    client, consultation, desk_round, django_assert_max_num_queries
):
    c = consultation
    client.force_login(c.drafter)
    page = url("desk:review", slug=c.draft.slug, number=1)
    with django_assert_max_num_queries(REVIEW_QUERIES):
        client.get(page)
    # Posting directly (not through comment_create) would skip the rules; add real comments.
    articles = list(c.articles.values())
    for index in range(12):
        comment_services.comment_create(
            by=c.stakeholder_a if index % 2 else c.stakeholder_b,
            version=c.version,
            provision=articles[index % 3],
            body=f"Extra comment {index}",
            posted_at=c.version.opens_at.replace(microsecond=index),
        )
    with django_assert_max_num_queries(REVIEW_QUERIES):
        response = client.get(page)
    assert len(response.context["rows"]) == 15


def test_record_a_disposition_and_the_commenter_sees_it(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    disposition = desk_round.comment.disposition
    response = client.post(
        url("desk:respond", slug=c.draft.slug, comment_id=desk_round.comment.pk),
        {
            "status": "partly_accepted",
            "response": "We narrowed the article.",
            "revision": disposition.revision,
            "next": url("desk:review", slug=c.draft.slug, number=1) + "?kind=comment",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?kind=comment")
    disposition.refresh_from_db()
    assert disposition.status == "partly_accepted"
    assert disposition.responded_by == c.drafter
    # The response is public with the comment: the matrix shows it to the commenter.
    client.force_login(c.stakeholder_a)
    matrix = client.get(url("desk:matrix", slug=c.draft.slug, number=1))
    assert b"We narrowed the article." in matrix.content


def test_disposition_conflict_between_two_drafters(
    client, consultation, desk_round, second_drafter
):
    c = consultation
    comment = desk_round.comment
    revision = comment.disposition.revision
    respond_url = url("desk:respond", slug=c.draft.slug, comment_id=comment.pk)
    client.force_login(c.drafter)
    client.post(respond_url, {"status": "accepted", "response": "Yes.", "revision": revision})
    client.force_login(second_drafter)
    second = client.post(
        respond_url, {"status": "rejected", "response": "No, because…", "revision": revision}
    )
    assert second.status_code == 409
    assert b"Another drafter answered this comment" in second.content
    assert "No, because…</textarea>".encode() in second.content
    comment.disposition.refresh_from_db()
    assert comment.disposition.status == "accepted"


def test_an_open_redirect_is_not_followed(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    response = client.post(
        url("desk:respond", slug=c.draft.slug, comment_id=desk_round.comment.pk),
        {
            "status": "noted",
            "response": "Noted.",
            "revision": desk_round.comment.disposition.revision,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil")


def test_stakeholder_cannot_answer(client, consultation, desk_round):
    c = consultation
    for user in (c.stakeholder_a, c.other_drafter):
        client.force_login(user)
        response = client.post(
            url("desk:respond", slug=c.draft.slug, comment_id=desk_round.comment.pk),
            {"status": "accepted", "response": "Self-approved", "revision": 1},
        )
        assert response.status_code == 403
        assert b"Only drafters of the lead ministry may answer comments." in response.content
    desk_round.comment.disposition.refresh_from_db()
    assert desk_round.comment.disposition.status == "pending"


# --- applying amendments -----------------------------------------------------------


def test_apply_service_without_conflict(consultation, desk_round):
    c = consultation
    provision = comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Intent is now required.",
    )
    assert "Nobody shall intentionally access" in provision.text_en
    disposition = Disposition.objects.get(comment=desk_round.amendment)
    assert disposition.status == "accepted"
    assert disposition.applied_in_version == desk_round.v2
    assert provision.history.first().history_change_reason == (
        f"Applied amendment #{desk_round.amendment.pk}"
    )
    # the version where the change landed shows in the matrix
    from comments.matrix import response_matrix

    row = next(
        r
        for r in response_matrix(version=c.version, user=c.drafter)
        if r.comment_id == desk_round.amendment.pk
    )
    assert row.landed_in == 2


def test_apply_service_merges_changes_to_different_words(consultation, desk_round):
    c = consultation
    article = working_article(desk_round)
    draft_services.provision_edit(
        provision=article,
        by=c.drafter,
        revision=article.revision,
        text_en=article.text_en + " Penalties are set in Chapter 2.",
    )
    provision = comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Accepted.",
    )
    assert "Nobody shall intentionally access" in provision.text_en
    assert provision.text_en.endswith(" Penalties are set in Chapter 2.")


def test_apply_service_with_conflict_needs_a_resolved_text(consultation, desk_round):
    c = consultation
    article = working_article(desk_round)
    draft_services.provision_edit(
        provision=article,
        by=c.drafter,
        revision=article.revision,
        text_en=article.text_en.replace("Nobody shall access", "Nobody may enter")
        + " Penalties are set in Chapter 2.",
    )
    with pytest.raises(ConflictError) as caught:
        comment_services.amendment_apply(
            comment=desk_round.amendment,
            by=c.drafter,
            working_version=desk_round.v2,
            response="Accepted.",
        )
    assert caught.value.current.pk == article.pk
    assert [(x.ours, x.theirs) for x in caught.value.merge.conflicts] == [
        ("may enter", "shall intentionally access")
    ]
    article.refresh_from_db()
    assert "intentionally" not in article.text_en  # nothing overwritten
    assert Disposition.objects.get(comment=desk_round.amendment).status == "pending"

    resolved = (
        "Scope: this law protects computer systems and data in article 1. Nobody shall "
        "intentionally access a computer system without right. Penalties are set in Chapter 2."
    )
    provision = comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Accepted, merged with our own change.",
        text=resolved,
        status="partly_accepted",
        working_revision=article.revision,
    )
    assert provision.text_en == resolved
    disposition = Disposition.objects.get(comment=desk_round.amendment)
    assert disposition.status == "partly_accepted"
    assert disposition.applied_in_version == desk_round.v2


def test_apply_is_one_transaction(consultation, desk_round):
    """When the disposition fails (no response), the article text is not changed either."""
    c = consultation
    with pytest.raises(DomainError):
        comment_services.amendment_apply(
            comment=desk_round.amendment,
            by=c.drafter,
            working_version=desk_round.v2,
            response="",
        )
    assert "intentionally" not in working_article(desk_round).text_en


def test_apply_refusals(consultation, desk_round):
    c = consultation
    with pytest.raises(PolicyDenied):
        comment_services.amendment_apply(
            comment=desk_round.amendment,
            by=c.stakeholder_b,
            working_version=desk_round.v2,
            response="I accept my own amendment.",
        )
    with pytest.raises(PolicyDenied):
        comment_services.amendment_apply(
            comment=desk_round.comment,  # not an amendment
            by=c.drafter,
            working_version=desk_round.v2,
            response="x",
        )
    with pytest.raises(DomainError):
        comment_services.amendment_apply(
            comment=desk_round.amendment,
            by=c.drafter,
            working_version=desk_round.v2,
            response="x",
            status="rejected",
        )


def test_apply_through_the_view_without_conflict(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    apply_url = url("desk:apply", slug=c.draft.slug, comment_id=desk_round.amendment.pk)
    page = client.get(apply_url)
    assert page.status_code == 200
    assert b"The change this makes to the working text" in page.content
    assert b"<ins>intentionally </ins>" in page.content
    article = working_article(desk_round)
    response = client.post(
        apply_url,
        {
            "status": "accepted",
            "response": "Done.",
            "working_revision": article.revision,
            "disposition_revision": desk_round.amendment.disposition.revision,
        },
    )
    assert response.status_code == 302
    assert "intentionally" in working_article(desk_round).text_en


def test_apply_through_the_three_way_view(client, consultation, desk_round, second_drafter):
    c = consultation
    apply_url = url("desk:apply", slug=c.draft.slug, comment_id=desk_round.amendment.pk)
    client.force_login(c.drafter)
    page = client.get(apply_url)
    article = working_article(desk_round)
    # Meanwhile, another drafter changes the article.
    draft_services.provision_edit(
        provision=article,
        by=second_drafter,
        revision=article.revision,
        text_en=article.text_en.replace("computer systems", "computer systems and networks"),
    )
    # The first drafter confirms the simple apply they saw: refused, shown three ways.
    response = client.post(
        apply_url,
        {
            "status": "accepted",
            "response": "Done.",
            "working_revision": page.context["form"].initial["working_revision"],
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "1. Text commented on (version 1)" in body
    assert "2. Proposed text" in body
    assert "3. Current working text (version 2)" in body
    assert "<ins> and networks</ins>" in body  # what the other drafter changed, marked
    assert 'name="resolve" value="True"' in body
    assert "Done.</textarea>" in body  # the response typed is kept
    assert "intentionally" not in working_article(desk_round).text_en

    # A fresh GET shows the three-way view straight away.
    fresh = client.get(apply_url)
    assert fresh.context["resolving"] is True
    current = working_article(desk_round)
    final = current.text_en.replace("Nobody shall access", "Nobody shall intentionally access")
    done = client.post(
        apply_url,
        {
            "status": "accepted",
            "response": "Merged with the networks change.",
            "text": final,
            "resolve": "True",
            "working_revision": current.revision,
        },
    )
    assert done.status_code == 302
    current.refresh_from_db()
    assert current.text_en == final
    assert "networks" in current.text_en
    assert "intentionally" in current.text_en
    assert Disposition.objects.get(comment=desk_round.amendment).applied_in_version_id == (
        desk_round.v2.pk
    )


def test_apply_without_a_working_version_explains(client, consultation):
    c = consultation
    amendment = comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        kind="amendment",
        body="x",
        proposed_text="New text.",
    )
    client.force_login(User.objects.get(pk=c.drafter.pk))
    response = client.get(
        url("desk:apply", slug=c.draft.slug, comment_id=amendment.pk), follow=True
    )
    assert b"Start the next working version first" in response.content


def test_the_apply_page_starts_from_the_merged_text(client, consultation, desk_round):
    """After another amendment landed, the final text starts from the merge, not the raw proposal."""
    c = consultation
    article = desk_round.article
    earlier = comment_services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=article,
        kind=Comment.Kind.AMENDMENT,
        body="Cover lawful excuses.",
        proposed_text=article.text_en.replace("without right.", "without right or lawful excuse."),
    )
    comment_services.amendment_apply(
        comment=earlier, by=c.drafter, working_version=desk_round.v2, response="Yes."
    )
    client.force_login(c.drafter)
    apply_url = url("desk:apply", slug=c.draft.slug, comment_id=desk_round.amendment.pk)
    page = client.get(apply_url)
    assert page.status_code == 200
    assert page.context["resolving"] is True
    merged = (
        "Scope: this law protects computer systems and data in article 1. Nobody shall "
        "intentionally access a computer system without right or lawful excuse."
    )
    assert page.context["form"].initial["text"] == merged
    assert page.context["form"].initial["text"] != desk_round.amendment.proposed_text
    body = page.content.decode()
    assert f"{merged}</textarea>" in body
    assert "touch different words: the final text below merges both" in body
    assert f"#{earlier.pk}" in body  # already applied to this article in this version

    done = client.post(
        apply_url,
        {
            "status": "accepted",
            "response": "Merged.",
            "text": merged,
            "resolve": "True",
            "working_revision": page.context["form"].initial["working_revision"],
        },
    )
    assert done.status_code == 302
    assert working_article(desk_round).text_en == merged


def test_the_apply_page_shows_conflicts_and_asks_why_words_go(client, consultation, desk_round):
    c = consultation
    article = desk_round.article
    earlier = comment_services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=article,
        kind=Comment.Kind.AMENDMENT,
        body="Say enter.",
        proposed_text=article.text_en.replace("shall access a", "may enter a"),
    )
    comment_services.amendment_apply(
        comment=earlier, by=c.drafter, working_version=desk_round.v2, response="Yes."
    )
    current = working_article(desk_round)
    client.force_login(c.drafter)
    apply_url = url("desk:apply", slug=c.draft.slug, comment_id=desk_round.amendment.pk)
    page = client.get(apply_url)
    [conflict] = page.context["tw"]["conflicts"]
    assert (conflict.ours, conflict.theirs) == ("may enter", "shall intentionally access")
    assert page.context["form"].initial["text"] == current.text_en  # ours kept in the conflict
    body = page.content.decode()
    assert "1 place where both changed the same words" in body
    assert "Current text:" in body
    assert "Proposed text:" in body

    form = {
        "status": "accepted",
        "response": "Intent matters more.",
        "text": desk_round.amendment.proposed_text,  # the proposer's raw text drops #earlier
        "resolve": "True",
        "working_revision": current.revision,
    }
    refused = client.post(apply_url, form)
    assert refused.status_code == 200
    assert f"#{earlier.pk}" in refused.content.decode()
    assert working_article(desk_round).text_en == current.text_en
    done = client.post(apply_url, {**form, "superseded_reason": "Access is the Convention's term."})
    assert done.status_code == 302
    disposition = Disposition.objects.get(comment=earlier)
    assert disposition.superseded_by_id == desk_round.amendment.pk
    matrix = client.get(url("desk:matrix", slug=c.draft.slug, number=1))
    assert (
        f"Superseded by #{desk_round.amendment.pk}: Access is the Convention&#x27;s term."
        in matrix.content.decode()
    )
    thread = client.get(
        reverse(
            "comments:article",
            kwargs={"slug": c.draft.slug, "number": 1, "stable_id": article.stable_id},
        )
    )
    assert f"superseded by #{desk_round.amendment.pk}" in thread.content.decode()

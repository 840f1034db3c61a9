"""The review desk at scale: pages of constant cost, SQL facets, assignment, tags, notes, bulk actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comments import services as comment_services
from comments.models import Comment, Disposition
from core.errors import DomainError, PolicyDenied
from desk import services
from desk.models import Assignment, CommentTag, InternalNote
from desk.selectors import PER_PAGE
from notifications.emails import summary
from notifications.links import target_url
from notifications.models import Kind, Notification
from stakeholders.models import Membership
from tests.factories import member

# The review page's queries, whatever the number of comments: session and user, the
# actor's memberships, draft (with partners), version, 8 facets, the page's count,
# the page, its tags, notes and passage checks, the draft's versions, the team, the tags.
REVIEW_QUERIES = 23


def _post(c, count, *, start=0):
    articles = list(c.articles.values())
    return [
        comment_services.comment_create(
            by=c.stakeholder_a if index % 2 else c.stakeholder_b,
            version=c.version,
            provision=articles[index % 3],
            body=f"Comment number {index} on the draft.",
            posted_at=c.version.opens_at.replace(microsecond=index),
        )
        for index in range(start, start + count)
    ]


def _review(c, **query):
    return reverse("desk:review", kwargs={"slug": c.draft.slug, "number": c.version.number})


def _work_on(c, comments):
    """Tags, assignments and notes on some comments, so the page shows all of them."""
    tag = services.tag_create(draft=c.draft, by=c.drafter, name="Data protection")
    ids = [x.pk for x in comments[: len(comments) // 2]]
    services.comments_tag(draft=c.draft, by=c.drafter, comment_ids=ids, tag=tag)
    services.comments_assign(draft=c.draft, by=c.drafter, comment_ids=ids, assignee=c.drafter)
    for comment in comments[:5]:
        services.note_add(comment=comment, by=c.drafter, body="Check with the legal unit.")
    return tag


def test_the_review_desk_costs_the_same_queries_for_20_and_200_comments(
    client, consultation, django_assert_num_queries
):
    c = consultation
    comments = _post(c, 20)
    _work_on(c, comments)
    client.force_login(c.drafter)
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(_review(c))
    assert len(response.context["rows"]) == 20
    more = _post(c, 180, start=20)
    _work_on_more = services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[x.pk for x in more], assignee=c.drafter
    )
    assert _work_on_more == 180
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(_review(c), {"page": 3})
    assert len(response.context["rows"]) == PER_PAGE
    assert response.context["page"].paginator.count == 200
    with django_assert_num_queries(REVIEW_QUERIES):
        client.get(_review(c), {"assignee": "me", "tag": "none", "page": 2})


def test_facets_count_in_sql_with_the_other_filters(client, consultation):
    c = consultation
    comments = _post(c, 6)
    tag = _work_on(c, comments)
    client.force_login(c.drafter)
    response = client.get(_review(c), {"assignee": "me"})
    facets = {
        f["name"]: {o["value"]: o["count"] for o in f["options"]}
        for f in response.context["facets"]
    }
    assert facets["assignee"] == {"me": 3, "none": 3}  # the assignee facet ignores its own filter
    assert facets["tag"] == {str(tag.pk): 3, "none": 0}  # the others count within "assigned to me"
    assert facets["disposition"]["pending"] == 3
    assert [x.pk for x in response.context["rows"]] == [x.pk for x in comments[:3]]
    response = client.get(_review(c), {"tag": "none"})
    assert {x.pk for x in response.context["rows"]} == {x.pk for x in comments[3:]}


def test_assignment_notifies_the_assignee_and_keeps_history(consultation):
    c = consultation
    comment = _post(c, 1)[0]
    colleague = member(Membership.Role.DRAFTER, organisation=c.lead_ministry, username="colleague")
    with pytest.raises(PolicyDenied):
        services.comments_assign(
            draft=c.draft, by=c.other_drafter, comment_ids=[comment.pk], assignee=colleague
        )
    with pytest.raises(DomainError):  # only the drafting team can be given comments
        services.comments_assign(
            draft=c.draft, by=c.drafter, comment_ids=[comment.pk], assignee=c.stakeholder_a
        )
    services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[comment.pk], assignee=colleague
    )
    services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[comment.pk], assignee=c.drafter
    )
    assignment = Assignment.objects.get(comment=comment)
    assert assignment.assignee == c.drafter
    assert [h.assignee_id for h in assignment.history.order_by("history_date")] == [
        colleague.pk,
        c.drafter.pk,
    ]

    from notifications.fanout import handle

    first = assignment.history.earliest()
    assert handle("desk.assigned", {"assignment_id": assignment.pk}) == 0  # self-assigned now
    assert first.assignee_id == colleague.pk
    services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[comment.pk], assignee=colleague
    )
    assert handle("desk.assigned", {"assignment_id": assignment.pk}) == 1
    assert handle("desk.assigned", {"assignment_id": assignment.pk}) == 0  # a redelivery
    note = Notification.objects.get(recipient=colleague, kind=Kind.ASSIGNED)
    assert note.comment_id == comment.pk
    assert f"assigned comment #{comment.pk}" in summary(note)
    assert target_url(note) == reverse(
        "desk:comment", kwargs={"slug": c.draft.slug, "comment_id": comment.pk}
    )


def test_tags_are_a_controlled_list_per_draft(consultation):
    c = consultation
    comment = _post(c, 1)[0]
    tag = services.tag_create(draft=c.draft, by=c.drafter, name="Procedural safeguards")
    with pytest.raises(DomainError):
        services.tag_create(draft=c.draft, by=c.drafter, name="procedural safeguards")
    with pytest.raises(PolicyDenied):
        services.tag_create(draft=c.draft, by=c.moderator, name="Other")
    with pytest.raises(PolicyDenied):
        services.comments_tag(draft=c.draft, by=c.stakeholder_a, comment_ids=[comment.pk], tag=tag)
    assert (
        services.comments_tag(draft=c.draft, by=c.drafter, comment_ids=[comment.pk], tag=tag) == 1
    )
    assert (
        services.comments_tag(draft=c.draft, by=c.drafter, comment_ids=[comment.pk], tag=tag) == 0
    )
    assert (
        services.comments_tag(
            draft=c.draft, by=c.drafter, comment_ids=[comment.pk], tag=tag, remove=True
        )
        == 1
    )
    assert not CommentTag.objects.exists()
    assert CommentTag.history.count() == 2  # added, then removed: both kept


def test_internal_notes_never_reach_the_commenter_or_the_public(client, consultation):
    c = consultation
    comment = _post(c, 1)[0]
    secret = "Internal: the minister wants this rejected."
    with pytest.raises(PolicyDenied):
        services.note_add(comment=comment, by=comment.author, body=secret)
    services.note_add(comment=comment, by=c.drafter, body=secret)
    assert InternalNote.history.count() == 1

    desk_page = reverse("desk:comment", kwargs={"slug": c.draft.slug, "comment_id": comment.pk})
    for reader in (c.drafter, c.moderator, c.official, c.admin):
        client.force_login(reader)
        assert secret in client.get(desk_page).content.decode(), reader
    for outsider in (comment.author, c.stakeholder_a, c.other_drafter):
        client.force_login(outsider)
        response = client.get(desk_page)
        assert response.status_code == 403
        assert secret not in response.content.decode()
    # The commenter's own pages, the API, the matrix and its exports.
    client.force_login(comment.author)
    pages = [
        reverse("comments:permalink", args=[comment.pk]),
        reverse("api:comment-detail", args=[comment.pk]),
        reverse("api:version-matrix", args=[c.version.pk]),
    ]
    client.force_login(c.drafter)
    exports = [
        reverse("desk:matrix", kwargs={"slug": c.draft.slug, "number": 1}),
        reverse("desk:matrix_csv", kwargs={"slug": c.draft.slug, "number": 1}),
    ]
    for url in exports:
        assert secret not in client.get(url).content.decode(errors="ignore"), url
    client.force_login(comment.author)
    for url in pages:
        response = client.get(url, follow=True)
        assert secret not in response.content.decode(errors="ignore"), url


def test_bulk_actions_ask_once_then_act(client, consultation):
    c = consultation
    comments = _post(c, 4)
    tag = services.tag_create(draft=c.draft, by=c.drafter, name="Data protection")
    client.force_login(c.drafter)
    bulk = reverse("desk:bulk", kwargs={"slug": c.draft.slug, "number": 1})
    data = {"action": "tag", "tag": tag.pk, "ids": [comments[0].pk, comments[2].pk]}
    response = client.post(bulk, data)
    assert response.status_code == 200
    assert "Tag 2 comments" in response.content.decode()
    assert not CommentTag.objects.exists()  # nothing happens before the confirmation
    response = client.post(bulk, {**data, "confirm": "True"})
    assert response.status_code == 302
    assert set(CommentTag.objects.values_list("comment_id", flat=True)) == {
        comments[0].pk,
        comments[2].pk,
    }

    # Every comment matching the filters (here: the tag), answered once, each recorded.
    answer = {
        "action": "answer",
        "scope": "matching",
        "status": "noted",
        "response": "Thank you; noted.",
        "query": f"tag={tag.pk}",
        "confirm": "True",
    }
    client.post(bulk, answer)
    noted = Disposition.objects.filter(status=Disposition.Status.NOTED)
    assert set(noted.values_list("comment_id", flat=True)) == {comments[0].pk, comments[2].pk}

    # Bad input: a clear message, nothing changed.
    response = client.post(bulk, {"action": "assign", "ids": [comments[1].pk]}, follow=True)
    assert response.status_code == 200
    assert not Assignment.objects.exists()
    response = client.post(bulk, {"action": "tag", "tag": tag.pk}, follow=True)
    assert "Please select at least one comment." in response.content.decode()


def test_the_desk_is_refused_to_stakeholders(client, consultation):
    c = consultation
    _post(c, 1)
    client.force_login(c.stakeholder_a)
    assert client.get(_review(c)).status_code == 403
    bulk = reverse("desk:bulk", kwargs={"slug": c.draft.slug, "number": 1})
    comment = Comment.objects.first()
    response = client.post(bulk, {"action": "unassign", "ids": [comment.pk], "confirm": "True"})
    assert response.status_code == 403


def test_tags_are_a_column_of_the_drafting_teams_matrix_exports(client, consultation):
    import csv
    import io

    from openpyxl import load_workbook

    c = consultation
    comments = _post(c, 2)
    safeguards = services.tag_create(draft=c.draft, by=c.drafter, name="Safeguards")
    data = services.tag_create(draft=c.draft, by=c.drafter, name="Data protection")
    for tag in (safeguards, data):
        services.comments_tag(draft=c.draft, by=c.drafter, comment_ids=[comments[0].pk], tag=tag)
    kwargs = {"slug": c.draft.slug, "number": 1}
    # The matrix is the public record; the team's labels are not part of it.
    client.force_login(c.stakeholder_b)
    text = client.get(reverse("desk:matrix_csv", kwargs=kwargs)).content.decode("utf-8-sig")
    assert "Tags" not in text.splitlines()[0]
    client.force_login(c.drafter)
    text = client.get(reverse("desk:matrix_csv", kwargs=kwargs)).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "Tags"
    tags = {int(row[1]): row[-1] for row in rows[1:]}
    assert tags == {comments[0].pk: "Data protection; Safeguards", comments[1].pk: ""}
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("desk:matrix_xlsx", kwargs=kwargs)).content)
    ).active
    assert sheet.cell(row=1, column=15).value == "Tags"
    assert "Data protection; Safeguards" in [sheet.cell(row=r, column=15).value for r in (2, 3)]

"""The matrix page and its downloads; an article's history page."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from comments import services as comment_services
from drafts import services as draft_services

from .conftest import working_article


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def _answer(consultation, desk_round):
    comment_services.disposition_record(
        comment=desk_round.comment,
        by=consultation.drafter,
        status="rejected",
        response="The scope is needed; see article 5.",
    )
    comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=consultation.drafter,
        working_version=desk_round.v2,
        response="Intent is now required.",
    )


def test_matrix_page_filters(client, consultation, desk_round, django_assert_max_num_queries):
    c = consultation
    _answer(c, desk_round)
    client.force_login(c.drafter)
    matrix_url = url("desk:matrix", slug=c.draft.slug, number=1)
    with django_assert_max_num_queries(10):
        response = client.get(matrix_url)
    assert [r.number for r in response.context["rows"]] == [1, 2, 3]
    body = response.content.decode()
    assert "The scope is needed; see article 5." in body
    assert "Version 2" in body  # where the amendment landed
    filtered = client.get(matrix_url, {"disposition": "rejected"})
    assert [r.comment_id for r in filtered.context["rows"]] == [desk_round.comment.pk]
    assert b"matrix.csv?disposition=rejected" in filtered.content


def test_matrix_csv_download(client, consultation, desk_round):
    c = consultation
    _answer(c, desk_round)
    client.force_login(c.drafter)
    response = client.get(url("desk:matrix_csv", slug=c.draft.slug, number=1))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "it-crimes-v1-comment-response-matrix.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *rows = table
    assert header == [
        "No.",
        "Comment ID",
        "Organisation",
        "Kind of organisation",
        "Article",
        "Article identifier",
        "Kind",
        "Comment or proposed text",
        "Quoted passage",
        "Disposition",
        "Response",
        "Responded by",
        "Change landed in version",
        "Superseded",
        "Tags",
    ]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    amendment, comment, restricted = rows
    assert amendment[2] == "Mekong Telecom"
    assert amendment[3] == "Private sector"
    assert amendment[6] == "Proposed amendment"
    assert "Nobody shall intentionally access" in amendment[7]
    assert amendment[9] == "Accepted"
    assert amendment[12] == "2"
    assert amendment[13] == ""
    assert comment[4] == "Article 2"
    assert comment[5] == "chp_1__art_2"
    assert comment[8] == "Nobody shall access"
    assert comment[9] == "Rejected"
    assert comment[10] == "The scope is needed; see article 5."
    assert comment[11] == c.drafter.name
    assert comment[12] == ""
    assert restricted[9] == "Pending"


def test_matrix_csv_respects_visibility_and_filters(client, consultation, desk_round):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.get(url("desk:matrix_csv", slug=c.draft.slug, number=1))
    text = response.content.decode("utf-8-sig")
    assert "A confidential concern." not in text  # someone else's restricted comment
    assert "Tags" not in text.splitlines()[0]  # the drafting team's labels stay with the team
    client.force_login(c.drafter)
    response = client.get(
        url("desk:matrix_csv", slug=c.draft.slug, number=1), {"kind": "amendment"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][6] == "Proposed amendment"


def test_matrix_xlsx_download(client, consultation, desk_round):
    c = consultation
    _answer(c, desk_round)
    client.force_login(c.official)
    response = client.get(url("desk:matrix_xlsx", slug=c.draft.slug, number=1))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4
    assert sheet.cell(row=3, column=10).value == "Rejected"


def test_matrix_of_a_working_version_is_refused_to_the_public(client, consultation, desk_round):
    client.force_login(consultation.stakeholder_a)
    response = client.get(url("desk:matrix", slug=consultation.draft.slug, number=2))
    assert response.status_code == 403


def test_article_history_shows_edits_and_dispositions(
    client, consultation, desk_round, second_drafter, django_assert_max_num_queries
):
    c = consultation
    _answer(c, desk_round)
    article = working_article(desk_round)
    draft_services.provision_edit(
        provision=article,
        by=second_drafter,
        revision=article.revision,
        heading_en="Scope and purpose",
        reason="Clearer heading",
    )
    client.force_login(c.official)
    history_url = url("desk:article_history", slug=c.draft.slug, stable_id="chp_1__art_1")
    with django_assert_max_num_queries(10):
        response = client.get(history_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Carried into version 2" in body
    assert f"Reason: Applied amendment #{desk_round.amendment.pk}" in body
    assert f"answers comment #{desk_round.amendment.pk}" in body
    assert "<ins>intentionally </ins>" in body  # what the edit changed
    assert "Reason: Clearer heading" in body
    assert "Drafter2" in body
    assert f"Response to comment #{desk_round.amendment.pk} (Mekong Telecom)" in body
    assert "applied in version 2" in body
    assert "Intent is now required." in body
    # the other article's disposition is not part of this article's history
    assert "The scope is needed" not in body
    assert "Placed under" not in body  # a copy getting its parent is not a move

    article.refresh_from_db()
    draft_services.provision_move(
        provision=article, by=c.drafter, parent=working_article(desk_round, "chp_2")
    )
    body = client.get(history_url).content.decode()
    assert "Placed under" in body
    assert "moved to another place" in body

    # more edits do not add queries
    for index in range(5):
        article.refresh_from_db()
        draft_services.provision_edit(
            provision=article,
            by=c.drafter,
            revision=article.revision,
            text_en=f"{article.text_en} Edit {index}.",
        )
    with django_assert_max_num_queries(10):
        client.get(history_url)


def test_history_is_closed_to_stakeholders(client, consultation, desk_round):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.get(url("desk:article_history", slug=c.draft.slug, stable_id="chp_1__art_1"))
    assert response.status_code == 403
    assert b"Only drafters, moderators and officials may see the editing history." in (
        response.content
    )
    client.force_login(c.moderator)
    ok = client.get(url("desk:article_history", slug=c.draft.slug, stable_id="chp_1__art_1"))
    assert ok.status_code == 200


def test_history_rows_carry_the_kind_of_change_and_the_comment(consultation, desk_round):
    """The history page reads data from the rows, not English reasons."""
    c = consultation
    comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Intent is now required.",
    )
    applied = working_article(desk_round).history.first()
    assert applied.change_kind == "amendment_applied"
    assert applied.caused_by_comment_id == desk_round.amendment.pk
    copied = working_article(desk_round).history.last()
    assert copied.change_kind == "carried_forward"
    assert copied.caused_by_comment_id is None

    moving = working_article(desk_round, "chp_1__art_2")
    draft_services.provision_move(
        provision=moving,
        by=c.drafter,
        parent=working_article(desk_round, "chp_2"),
        after=working_article(desk_round, "chp_2__art_3"),
    )
    moved = working_article(desk_round, "chp_1__art_2").history.first()
    assert moved.change_kind == "moved"
    assert moved.caused_by_comment_id is None

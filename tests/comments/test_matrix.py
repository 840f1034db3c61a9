"""The comment-response matrix: rows, numbering, visibility, filters and exports."""

import csv
import io

import pytest
from openpyxl import load_workbook

from comments import services
from comments.matrix import (
    earlier_feedback_by_article,
    matrix_csv,
    matrix_facets,
    matrix_xlsx,
    response_matrix,
)
from comments.models import Comment
from drafts.services import version_publish, version_start_next


@pytest.fixture
def posted(consultation):
    c = consultation
    art_1, art_2, art_3 = list(c.articles.values())
    first = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=art_2, body="Too broad."
    )
    amendment = services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=art_1,
        kind=Comment.Kind.AMENDMENT,
        body="Say it plainly.",
        proposed_text='=HYPERLINK("http://evil") Scope: ច្បាប់នេះ',
    )
    restricted = services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=art_3,
        body="Confidential concern.",
        visibility="restricted",
    )
    services.comment_reply(by=c.drafter, parent=first, body="Thanks.")
    services.disposition_record(
        comment=first, by=c.drafter, status="accepted", response="We narrowed it."
    )
    return {"first": first, "amendment": amendment, "restricted": restricted}


def test_rows_in_document_order_with_dispositions(consultation, posted, django_assert_num_queries):
    from stakeholders.models import User

    fresh = User.objects.get(pk=consultation.drafter.pk)  # no memberships cached yet
    version = (
        type(consultation.version).objects.select_related("draft").get(pk=consultation.version.pk)
    )
    # the user's memberships, the draft's partners, then one query for every row
    with django_assert_num_queries(3):
        rows = response_matrix(version=version, user=fresh)
    assert [r.comment_id for r in rows] == [
        posted["amendment"].pk,
        posted["first"].pk,
        posted["restricted"].pk,
    ]
    assert [r.number for r in rows] == [1, 2, 3]
    amendment, first, _restricted = rows
    assert amendment.kind == "Proposed amendment"
    assert amendment.text.startswith("=HYPERLINK")
    assert amendment.disposition == "Pending"
    assert amendment.organisation_kind == "Private sector"
    assert first.disposition == "Accepted"
    assert first.response == "We narrowed it."
    assert first.responded_by == consultation.drafter.name
    assert first.article_label == "Article 2"
    assert first.landed_in == ""


def test_visibility_follows_policies(consultation, posted):
    ids = [
        r.comment_id
        for r in response_matrix(version=consultation.version, user=consultation.stakeholder_a)
    ]
    assert posted["restricted"].pk not in ids
    ids_b = [
        r.comment_id
        for r in response_matrix(version=consultation.version, user=consultation.stakeholder_b)
    ]
    assert posted["restricted"].pk in ids_b


def test_filters_keep_numbers(consultation, posted):
    version, drafter = consultation.version, consultation.drafter
    rows = response_matrix(version=version, user=drafter, filters={"disposition": "accepted"})
    assert [(r.number, r.comment_id) for r in rows] == [(2, posted["first"].pk)]
    rows = response_matrix(version=version, user=drafter, filters={"kind": "amendment"})
    assert [r.comment_id for r in rows] == [posted["amendment"].pk]
    rows = response_matrix(
        version=version, user=drafter, filters={"organisation": str(consultation.org_b.pk)}
    )
    assert {r.comment_id for r in rows} == {posted["amendment"].pk, posted["restricted"].pk}
    rows = response_matrix(version=version, user=drafter, filters={"organisation_kind": "ngo"})
    assert [r.comment_id for r in rows] == [posted["first"].pk]
    rows = response_matrix(version=version, user=drafter, filters={"article": "chp_2__art_3"})
    assert [r.comment_id for r in rows] == [posted["restricted"].pk]


def test_facet_counts(consultation, posted):
    rows = response_matrix(version=consultation.version, user=consultation.drafter)
    facets = {f.name: f for f in matrix_facets(rows, {"kind": "comment"})}
    disposition = {value: count for value, _label, count in facets["disposition"].options}
    assert disposition["accepted"] == 1
    assert disposition["pending"] == 1  # the amendment is filtered out by kind
    kinds = {value: count for value, _label, count in facets["kind"].options}
    assert kinds == {"comment": 2, "amendment": 1}  # a facet ignores its own filter


def test_csv_has_bom_khmer_and_no_formulas(consultation, posted):
    rows = response_matrix(version=consultation.version, user=consultation.drafter)
    data = matrix_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][0] == "No."
    assert table[0][9] == "Disposition"
    assert len(table) == 4
    amendment = table[1]
    assert amendment[7].startswith("'=HYPERLINK")
    assert "ច្បាប់នេះ" in amendment[7]
    assert table[2][9] == "Accepted"
    assert table[2][10] == "We narrowed it."


def test_xlsx_round_trip(consultation, posted):
    rows = response_matrix(version=consultation.version, user=consultation.drafter)
    workbook = load_workbook(io.BytesIO(matrix_xlsx(rows)))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "Organisation"
    assert values[1][7].startswith("=HYPERLINK")
    assert sheet.cell(row=2, column=8).data_type == "s"  # text, not a formula
    assert values[2][9] == "Accepted"


def test_earlier_feedback_counts_by_article(consultation, posted):
    c = consultation
    v2 = version_start_next(draft=c.draft, by=c.drafter)
    from datetime import timedelta

    from django.utils import timezone

    version_publish(version=v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=10))
    feedback = earlier_feedback_by_article(v2)
    assert feedback["chp_1__art_2"]["count"] == 1
    assert feedback["chp_1__art_2"]["by_disposition"] == {"accepted": 1}
    assert feedback["chp_1__art_1"]["by_disposition"] == {"pending": 1}
    assert feedback["chp_2__art_3"]["count"] == 1
    # a stakeholder is not told about a restricted comment of someone else
    assert "chp_2__art_3" not in earlier_feedback_by_article(v2, c.stakeholder_a)
    assert earlier_feedback_by_article(c.version) == {}

"""The audit page: who changed what, when and why; filterable, paginated, exportable."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services
from drafts import services as draft_services
from stakeholders import services as account_services
from stakeholders.models import Membership
from tests.factories import DraftFactory, UserFactory, VersionFactory, build_articles, open_version

pytestmark = pytest.mark.django_db
AUDIT = reverse("audit:log")


@pytest.fixture
def activity(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body="Words only participants may read",
        visibility="participants",
    )
    services.endorsement_create(comment=comment, by=c.stakeholder_b)
    services.disposition_record(
        comment=comment, by=c.drafter, status="accepted", response="We agree."
    )
    services.report_create(comment=comment, by=c.stakeholder_b, reason="Check this")
    services.comment_hide(comment=comment, by=c.moderator, reason="Contains a phone number")
    newcomer = UserFactory(username="newcomer")
    account_services.membership_grant(
        organisation=c.org_a, user=newcomer, role="stakeholder", by=c.admin
    )
    return comment


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("stakeholder_a", 403),
        ("stakeholder_b", 403),
        ("moderator", 403),
        ("drafter", 200),
        ("other_drafter", 200),
        ("official", 200),
        ("admin", 200),
    ],
)
def test_who_may_see_the_audit(client, consultation, role, status):
    client.force_login(getattr(consultation, role))
    assert client.get(AUDIT).status_code == status


def test_anonymous_is_sent_to_sign_in(client, consultation):
    response = client.get(AUDIT)
    assert response.status_code == 302


def test_every_kind_of_change_is_listed_with_who_and_why(client, consultation, activity):
    c = consultation
    client.force_login(c.official)
    html = client.get(AUDIT).content.decode()
    for text in (
        "Hidden by moderator: Contains a phone number",
        "Posted",
        "Disposition recorded",
        "moderator",
        "alice",
        "drafter",
        "Membership",
        "Endorsement",
        "Report (moderation)",
    ):
        assert text in html, text
    # Never the words of a comment: the audit is not a way round its visibility.
    assert "Words only participants may read" not in html


def test_filters_by_model_user_draft_and_dates(client, consultation, activity):
    c = consultation
    client.force_login(c.official)
    rows = csv_rows(client.get(AUDIT, {"model": "comment", "format": "csv"}))
    assert {r["record"] for r in rows} == {"comment"}
    assert any(r["reason"].startswith("Hidden by moderator") for r in rows)
    by_moderator = csv_rows(client.get(AUDIT, {"user": "moderator", "format": "csv"}))
    assert by_moderator
    assert {r["changed_by"] for r in by_moderator} == {"moderator"}
    nobody = client.get(AUDIT, {"user": "no-such-person"})
    assert "No changes match." in nobody.content.decode()
    other = DraftFactory(lead_ministry=c.lead_ministry, slug="other-law")
    other_version = VersionFactory(draft=other)
    build_articles(other_version)
    open_version(other_version)
    for_other = csv_rows(client.get(AUDIT, {"draft": "other-law", "format": "csv"}))
    assert for_other
    assert {r["draft"] for r in for_other} == {"other-law"}
    today = timezone.localdate()
    yesterday = today - timezone.timedelta(days=1)
    assert csv_rows(client.get(AUDIT, {"since": today.isoformat(), "format": "csv"}))
    assert not csv_rows(client.get(AUDIT, {"until": yesterday.isoformat(), "format": "csv"}))
    wrong = client.get(AUDIT, {"since": today.isoformat(), "until": yesterday.isoformat()})
    assert wrong.status_code == 400
    assert "The start date must not be after the end date." in wrong.content.decode()


def test_drafters_see_only_their_drafts_and_organisations(client, consultation, activity):
    c = consultation
    client.force_login(c.other_drafter)
    rows = csv_rows(client.get(AUDIT, {"format": "csv"}))
    assert not [r for r in rows if r["draft"] == c.draft.slug]
    assert not [r for r in rows if r["record"] == "comment"]
    assert not [r for r in rows if r["record"] == "membership" and r["now"] == "stakeholder"]
    client.force_login(c.drafter)
    rows = csv_rows(client.get(AUDIT, {"format": "csv"}))
    assert [r for r in rows if r["record"] == "comment"]
    assert [r for r in rows if r["record"] == "disposition"]


def test_provision_edits_are_audited(client, consultation):
    c = consultation
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    provision = working.provisions.get(stable_id=c.article.stable_id)
    draft_services.provision_edit(
        provision=provision,
        by=c.drafter,
        revision=provision.revision,
        text_en="New text",
        reason="Tightened the definition",
    )
    client.force_login(c.drafter)
    rows = csv_rows(client.get(AUDIT, {"model": "provision", "format": "csv"}))
    assert any(
        r["reason"] == "Tightened the definition" and r["changed_by"] == "drafter" for r in rows
    )


def test_csv_neutralises_formulas(client, consultation):
    c = consultation
    membership = Membership.objects.get(user=c.stakeholder_b)
    account_services.membership_end(membership=membership, by=c.admin, reason="=HYPERLINK(1)")
    client.force_login(c.admin)
    response = client.get(AUDIT, {"model": "membership", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    reasons = [r["reason"] for r in csv_rows(response)]
    assert "'=HYPERLINK(1)" in reasons


def test_audit_page_runs_a_fixed_number_of_queries(
    client, consultation, django_assert_max_num_queries
):
    c = consultation
    for index in range(40):
        comment = services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=f"Point {index}"
        )
        services.disposition_record(comment=comment, by=c.drafter, status="noted", response="Ok")
    client.force_login(c.official)
    client.get(AUDIT)
    with django_assert_max_num_queries(8):
        response = client.get(AUDIT)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 51  # the header and 50 rows
    with django_assert_max_num_queries(8):
        second = client.get(AUDIT, {"page": 2, "model": "disposition"})
    assert second.status_code == 200

"""Report a comment; moderators hide it with a reason, restore it, or close the reports.
Hiding is reversible and logged; officials still read the original; the author is told."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment, Report
from stakeholders.models import Membership
from stakeholders.policies import can
from tests.factories import DraftFactory, MembershipFactory, UserFactory, VersionFactory

pytestmark = pytest.mark.django_db

QUEUE = "comments:moderation"


@pytest.fixture
def reported(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Insulting words here."
    )
    services.report_create(comment=comment, by=c.stakeholder_b, reason="This is abusive.")
    return comment


def test_report_button_files_a_report(client, consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Report me."
    )
    client.force_login(c.stakeholder_b)
    response = client.post(reverse("comments:report", args=[comment.pk]), {"reason": "Spam."})
    assert response.status_code in (200, 302)
    report = Report.objects.get(comment=comment)
    assert report.reporter == c.stakeholder_b
    assert report.reason == "Spam."


def test_queue_lists_open_reports_for_moderators(client, consultation, reported):
    client.force_login(consultation.moderator)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is abusive." in html
    assert "Insulting words here." in html


@pytest.mark.parametrize(
    "role", ["stakeholder_a", "stakeholder_b", "drafter", "other_drafter", "official"]
)
def test_queue_is_for_moderators_only(client, consultation, reported, role):
    client.force_login(getattr(consultation, role))
    assert client.get(reverse(QUEUE)).status_code == 403
    hide = client.post(reverse("comments:moderate", args=[reported.pk, "hide"]), {"reason": "Nope"})
    assert hide.status_code == 403
    reported.refresh_from_db()
    assert reported.state == Comment.State.ACTIVE


def test_anonymous_is_sent_to_sign_in(client, reported):
    response = client.get(reverse(QUEUE))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_moderators_of_another_ministry_do_not_see_this_draft(client, consultation, reported):
    outsider = UserFactory(username="mod-moj")
    MembershipFactory(
        user=outsider, organisation=consultation.other_ministry, role=Membership.Role.MODERATOR
    )
    client.force_login(outsider)
    html = client.get(reverse(QUEUE)).content.decode()
    assert "Insulting words here." not in html
    response = client.post(
        reverse("comments:moderate", args=[reported.pk, "hide"]), {"reason": "Not mine"}
    )
    assert response.status_code == 403


def test_hide_with_reason_then_restore(client, consultation, reported):
    c = consultation
    client.force_login(c.moderator)
    response = client.post(
        reverse("comments:moderate", args=[reported.pk, "hide"]),
        {"reason": "Personal insult.", "next": reverse(QUEUE)},
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.state == Comment.State.HIDDEN
    assert reported.hidden_by == c.moderator
    assert reported.hidden_reason == "Personal insult."
    report = reported.reports.get()
    assert report.resolved_by == c.moderator
    assert "Personal insult." in report.resolution
    # The original words: officials, drafters and the author still see them; others do not.
    assert can(c.official, "comment.view_hidden", reported)
    assert can(c.drafter, "comment.view_hidden", reported)
    assert can(c.stakeholder_a, "comment.view_hidden", reported)
    assert not can(c.stakeholder_b, "comment.view_hidden", reported)
    assert not can(c.anonymous, "comment.view_hidden", reported)
    hidden_tab = client.get(reverse(QUEUE) + "?show=hidden").content.decode()
    assert "Personal insult." in hidden_tab
    response = client.post(
        reverse("comments:moderate", args=[reported.pk, "restore"]), {"reason": "On appeal."}
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.state == Comment.State.ACTIVE
    reasons = [h.history_change_reason for h in reported.history.order_by("history_id")]
    assert reasons[-2].startswith("Hidden by moderator: Personal insult.")
    assert reasons[-1].startswith("Restored by moderator: On appeal.")
    assert reported.history.order_by("history_id").last().history_user == c.moderator


def test_hiding_needs_a_reason_and_keeps_nothing_changed(client, consultation, reported):
    client.force_login(consultation.moderator)
    response = client.post(reverse("comments:moderate", args=[reported.pk, "hide"]), {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    reported.refresh_from_db()
    assert reported.state == Comment.State.ACTIVE
    assert reported.reports.get().resolved_at is None


def test_keep_the_comment_closes_the_reports(client, consultation, reported):
    client.force_login(consultation.moderator)
    response = client.post(
        reverse("comments:moderate", args=[reported.pk, "resolve"]),
        {"resolution": "Robust but fair criticism."},
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.state == Comment.State.ACTIVE
    report = reported.reports.get()
    assert report.resolution == "Robust but fair criticism."
    assert report.resolved_at
    assert "Insulting words here." not in client.get(reverse(QUEUE)).content.decode()
    resolved = client.get(reverse(QUEUE) + "?show=resolved").content.decode()
    assert "Robust but fair criticism." in resolved


def test_unknown_action_is_not_found(client, consultation, reported):
    client.force_login(consultation.moderator)
    response = client.post(reverse("comments:moderate", args=[reported.pk, "delete"]))
    assert response.status_code == 404


def test_the_author_is_told(consultation, reported):
    """Hiding emits an event whose fan-out tells the author, with the moderator's reason."""
    from notifications import fanout
    from notifications.models import Notification

    services.comment_hide(comment=reported, by=consultation.moderator, reason="Insult.")
    assert fanout.comment_hidden(reported.pk) == 1
    told = Notification.objects.get(recipient=consultation.stakeholder_a)
    assert told.detail == "Insult."


def test_queue_runs_a_fixed_number_of_queries(client, consultation, django_assert_max_num_queries):
    c = consultation
    reporters = [c.stakeholder_b, c.drafter, c.official]
    for index in range(30):
        comment = services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=f"Comment {index}"
        )
        for reporter in reporters:
            services.report_create(comment=comment, by=reporter, reason=f"Report {index}")
    other_draft = DraftFactory(lead_ministry=c.lead_ministry)
    VersionFactory(draft=other_draft)
    client.force_login(c.moderator)
    client.get(reverse(QUEUE))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert response.content.decode().count('class="moderation-item"') == 25
    page_two = client.get(reverse(QUEUE) + "?page=2").content.decode()
    assert page_two.count('class="moderation-item"') == 5

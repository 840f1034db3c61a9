"""Moderators alerted when a comment is reported (after N reports), the queue, and restores told."""

from __future__ import annotations

from django.urls import reverse

from comments import services as comment_services
from notifications.emails import summary
from notifications.fanout import handle
from notifications.links import target_url
from notifications.models import Kind, Notification


def _comment(c):
    return comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Words someone dislikes."
    )


def test_a_report_alerts_the_drafts_moderators(consultation):
    c = consultation
    comment = _comment(c)
    report = comment_services.report_create(comment=comment, by=c.stakeholder_b, reason="Spam")
    assert handle("comment.reported", {"report_id": report.pk}) == 1
    assert handle("comment.reported", {"report_id": report.pk}) == 0  # a redelivery
    alert = Notification.objects.get(kind=Kind.COMMENT_REPORTED)
    assert alert.recipient == c.moderator
    assert alert.detail == "Spam"
    assert "moderation queue" in summary(alert)
    assert target_url(alert) == reverse("comments:moderation")


def test_comments_are_queued_after_the_configured_number_of_reports(client, consultation, settings):
    c = consultation
    settings.PORTAL = {**settings.PORTAL, "REPORTS_TO_QUEUE": 2}
    comment = _comment(c)
    first = comment_services.report_create(comment=comment, by=c.stakeholder_b, reason="Rude")
    assert handle("comment.reported", {"report_id": first.pk}) == 0
    client.force_login(c.moderator)
    queue = client.get(reverse("comments:moderation"))
    assert comment.body not in queue.content.decode()
    second = comment_services.report_create(comment=comment, by=c.official, reason="Rude too")
    assert handle("comment.reported", {"report_id": second.pk}) == 1
    queue = client.get(reverse("comments:moderation"))
    assert comment.body in queue.content.decode()


def test_the_header_links_moderators_to_their_queue(client, consultation):
    c = consultation
    queue = reverse("comments:moderation")
    client.force_login(c.moderator)
    assert f'href="{queue}"' in client.get(reverse("comments:draft_list")).content.decode()
    client.force_login(c.stakeholder_a)
    assert f'href="{queue}"' not in client.get(reverse("comments:draft_list")).content.decode()


def test_the_author_is_told_when_a_hidden_comment_is_restored(consultation):
    c = consultation
    comment = _comment(c)
    comment_services.comment_hide(comment=comment, by=c.moderator, reason="Off topic")
    assert handle("comment.restored", {"comment_id": comment.pk}) == 0  # still hidden
    comment_services.comment_restore(comment=comment, by=c.moderator, reason="On appeal")
    assert handle("comment.restored", {"comment_id": comment.pk}) == 1
    told = Notification.objects.get(kind=Kind.COMMENT_RESTORED)
    assert told.recipient == c.stakeholder_a
    assert told.comment_id == comment.pk

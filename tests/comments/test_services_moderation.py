"""Hiding a comment closes its open reports wherever the moderator hides it from.

The thread page's hide form used to leave the reports open while the queue's closed
them; the rule now lives in ``comments.services.comment_hide``.
"""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Report

pytestmark = pytest.mark.django_db


def _reported(c):
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Insulting words."
    )
    services.report_create(comment=comment, by=c.stakeholder_b, reason="Personal attack")
    return comment


def test_hiding_from_the_thread_page_closes_the_reports(consultation, client):
    c = consultation
    comment = _reported(c)
    client.force_login(c.moderator)
    response = client.post(reverse("comments:hide", args=[comment.pk]), {"reason": "Abusive"})
    assert response.status_code == 302
    report = Report.objects.get(comment=comment)
    assert report.resolved_at is not None
    assert report.resolved_by == c.moderator
    assert "Abusive" in report.resolution


def test_hiding_from_the_queue_closes_the_reports(consultation, client):
    c = consultation
    comment = _reported(c)
    client.force_login(c.moderator)
    client.post(reverse("comments:moderate", args=[comment.pk, "hide"]), {"reason": "Abusive"})
    assert Report.objects.get(comment=comment).resolved_at is not None


def test_the_service_closes_the_reports_in_the_same_transaction(consultation):
    c = consultation
    comment = _reported(c)
    services.comment_hide(comment=comment, by=c.moderator, reason="Abusive")
    assert not Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()

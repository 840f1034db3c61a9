"""Receipts: every submission has a tracking number; its author gets an email copy of exactly
what was submitted, in their language, once; the number finds the comment for its author
and for the drafters."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comments import receipts, services
from comments.models import Receipt
from core import events
from core.models import OutboxEvent
from portal.celery import app

from . import sample_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(django_capture_on_commit_callbacks, settings, tmp_path):
    """Run the outbox's delivery and the tasks it queues in this process, as after a commit."""
    settings.MEDIA_ROOT = str(tmp_path)

    def run(action):
        saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
        app.conf.task_always_eager = app.conf.task_eager_propagates = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                result = action()
            with django_capture_on_commit_callbacks(execute=True):
                events.relay_pending()
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = saved
        return result

    return run


def receipts_to(address):
    return [m for m in mail.outbox if m.to == [address] and "submission" in m.subject]


def test_a_submission_has_a_tracking_number_and_one_receipt(consultation, delivered):
    c = consultation
    comment = delivered(
        lambda: services.comment_create(
            by=c.individual,
            version=c.version,
            provision=c.article,
            body="Keep the register public.",
            visibility="restricted",
            attachments=[SimpleUploadedFile("paper.pdf", sample_files.pdf())],
        )
    )
    assert re.fullmatch(r"\d{4}-\d{6}-[0-9A-F]{4}", comment.tracking_number)
    assert OutboxEvent.objects.filter(name="comment.submitted").count() == 1
    [message] = receipts_to(c.individual.email)
    assert comment.tracking_number in message.subject
    assert message.extra_headers["X-Portal-Receipt"] == comment.tracking_number
    assert "Keep the register public." in message.body
    assert "paper.pdf" in message.body
    assert "Restricted" in message.body  # who may see it
    assert "an individual" in message.body
    assert comment.created_at.strftime("%Y") in message.body
    assert Receipt.objects.get(comment=comment).sent_at is not None
    # Delivered again (a relay overlapping, a redelivered task): no second email.
    assert receipts.send_receipt(comment.pk) is False
    delivered(events.relay_pending)
    assert len(receipts_to(c.individual.email)) == 1


def test_the_receipt_is_in_the_authors_language(consultation, delivered):
    c = consultation
    c.stakeholder_a.preferred_language = "km"
    c.stakeholder_a.save()
    comment = delivered(
        lambda: services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="មតិយោបល់"
        )
    )
    [message] = [m for m in mail.outbox if m.to == [c.stakeholder_a.email]]
    assert comment.tracking_number in message.subject
    assert message.extra_headers["X-Portal-Receipt"] == comment.tracking_number
    assert "submission" not in message.subject
    assert "លេខតាមដាន" in message.body


def test_replies_get_a_receipt_too(consultation, delivered):
    c = consultation
    first = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="First"
    )
    reply = delivered(lambda: services.comment_reply(by=c.individual, parent=first, body="Reply"))
    assert reply.tracking_number
    assert len(receipts_to(c.individual.email)) == 1


def test_the_number_finds_the_comment_for_its_author_and_the_drafters(consultation, client):
    c = consultation
    comment = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="Find me",
        visibility="restricted",
    )
    url = reverse("comments:receipt")
    for user in (c.individual, c.drafter):
        client.force_login(user)
        response = client.get(url, {"number": comment.tracking_number.lower()})
        assert response.status_code == 302
        assert response["Location"] == reverse("comments:permalink", args=[comment.pk])
    for user in (c.stakeholder_a, c.other_drafter):
        client.force_login(user)
        assert client.get(url, {"number": comment.tracking_number}).status_code == 404
    client.force_login(c.individual)
    assert client.get(url, {"number": "2026-000000-0000"}).status_code == 404
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url, {"number": comment.tracking_number}).status_code == 302  # sign in


def test_the_author_sees_the_number_on_the_comment(consultation, client):
    c = consultation
    comment = services.comment_create(
        by=c.individual, version=c.version, provision=c.article, body="Mine"
    )
    article = reverse(
        "comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id]
    )
    client.force_login(c.individual)
    assert comment.tracking_number in client.get(article).content.decode()
    client.force_login(c.stakeholder_b)
    assert comment.tracking_number not in client.get(article).content.decode()

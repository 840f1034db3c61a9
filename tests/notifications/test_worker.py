"""With a real Celery worker on Redis: events become notifications and emails after commit.

The worker writes its emails to files (see conftest.py), so these tests count
what really left the worker.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import services as comments
from drafts.models import DraftVersion
from drafts.tasks import consultations_close_due
from notifications.models import Delivery, Kind, Notification
from notifications.services import follow_draft, preference_set
from notifications.tasks import digests_send, fan_out, notification_email
from packets.models import Packet

from .conftest import wait_for

pytestmark = pytest.mark.services


def _to(messages):
    return sorted(str(m["To"]) for m in messages)


def test_replies_reach_the_author_and_a_restricted_reply_reaches_nobody_outside(
    consultation, celery_worker_process, transactional_db, worker_outbox
):
    c = consultation
    log = celery_worker_process["log"]
    opening = comments.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Opening."
    )
    bobs = comments.comment_reply(by=c.stakeholder_b, parent=opening, body="Bob's view.")
    wait_for(
        lambda: Notification.objects.filter(
            recipient=c.stakeholder_a, comment=bobs, emailed_at__isnull=False
        ).exists(),
        log=log,
    )
    private = comments.comment_reply(
        by=c.drafter, parent=bobs, body="Confidential answer.", visibility="restricted"
    )
    # The listener has queued the fan-out; a second run of it, awaited here, makes nothing.
    assert fan_out.delay("comment.replied", {"comment_id": private.pk}).get(timeout=30) == 0
    wait_for(lambda: len(worker_outbox()) >= 1, log=log)
    assert not Notification.objects.filter(comment=private).exists()
    messages = worker_outbox()
    assert _to(messages) == ["alice@example.org"]
    assert "Bob replied to your comment" in str(messages[0]["Subject"])
    assert "Confidential answer." not in "".join(m.as_string() for m in messages)


def test_a_consultation_closes_at_its_deadline_and_followers_hear_once(
    consultation, celery_worker_process, transactional_db, worker_outbox
):
    c = consultation
    log = celery_worker_process["log"]
    follow_draft(user=c.stakeholder_a, draft=c.draft)
    follow_draft(user=c.official, draft=c.draft)
    c.version.opens_at = timezone.now() - timedelta(days=10)
    c.version.closes_at = timezone.now() - timedelta(seconds=1)
    c.version.save()

    first = consultations_close_due.delay()
    second = consultations_close_due.delay()  # beat fired twice
    assert sorted([first.get(timeout=30), second.get(timeout=30)]) == [[], [c.version.pk]]
    c.version.refresh_from_db()
    assert c.version.status == DraftVersion.Status.CLOSED

    wait_for(
        lambda: (
            Notification.objects.filter(kind=Kind.CLOSED, emailed_at__isnull=False).count() == 2
        ),
        log=log,
    )
    wait_for(lambda: len(worker_outbox()) >= 2, log=log)
    assert _to(worker_outbox()) == ["alice@example.org", "official@example.org"]
    # The packet work requests the Assembly's packet when a version closes: exactly one.
    wait_for(lambda: Packet.objects.filter(version=c.version).exists(), log=log)
    assert Packet.objects.filter(version=c.version).count() == 1
    assert consultations_close_due.delay().get(timeout=30) == []
    assert Packet.objects.filter(version=c.version).count() == 1
    assert Notification.objects.filter(kind=Kind.CLOSED).count() == 2


def test_duplicate_task_runs_give_one_email(
    consultation, celery_worker_process, transactional_db, worker_outbox
):
    c = consultation
    log = celery_worker_process["log"]
    note = comments.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Note."
    )
    reply = comments.comment_reply(by=c.stakeholder_b, parent=note, body="Reply.")
    runs = [fan_out.delay("comment.replied", {"comment_id": reply.pk}) for _ in range(3)]
    for run in runs:
        run.get(timeout=30)
    notification = wait_for(
        lambda: Notification.objects.filter(comment=reply, emailed_at__isnull=False).first(),
        log=log,
    )
    extra = [notification_email.delay(notification.pk) for _ in range(3)]
    assert [run.get(timeout=30) for run in extra] == [False, False, False]
    assert Notification.objects.filter(comment=reply).count() == 1
    assert _to(worker_outbox()) == ["alice@example.org"]


def test_the_daily_digest_is_sent_once_by_the_worker(
    consultation, celery_worker_process, transactional_db, worker_outbox
):
    c = consultation
    log = celery_worker_process["log"]
    preference_set(user=c.stakeholder_a, kind=Kind.COMMENT_REPLY, delivery=Delivery.DIGEST)
    note = comments.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Note."
    )
    comments.comment_reply(by=c.stakeholder_b, parent=note, body="One.")
    comments.comment_reply(by=c.drafter, parent=note, body="Two.")
    wait_for(lambda: Notification.objects.filter(recipient=c.stakeholder_a).count() == 2, log=log)
    runs = [digests_send.delay(), digests_send.delay()]
    assert sorted(run.get(timeout=30) for run in runs) == [0, 1]
    (digest,) = worker_outbox()
    assert str(digest["To"]) == "alice@example.org"
    assert "2 updates" in str(digest["Subject"])
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

"""Emails survive database blips without going twice; each packet failure is told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from notifications import emails
from notifications.models import Kind, Notification
from notifications.services import notify
from notifications.tasks import notification_email
from packets import services as packets
from packets.models import Packet

pytestmark = pytest.mark.django_db


def _notification(c):
    return notify(
        recipient=c.stakeholder_a, kind=Kind.CLOSED, key="7", version=c.version, draft=c.draft
    )


def _fail_once(monkeypatch, name):
    real = getattr(emails, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(emails, name, flaky)
    return calls


def test_a_database_error_after_sending_is_retried_and_the_email_goes_once(
    consultation, monkeypatch
):
    made = _notification(consultation)
    calls = _fail_once(monkeypatch, "_record_sent")
    result = notification_email.apply(args=[made.pk])
    assert result.get() is True
    assert len(calls) == 2, "the retry recorded the email"
    assert len(mail.outbox) == 1, "and did not send it again"
    made.refresh_from_db()
    assert made.emailed_at is not None
    assert made.email_claim
    assert notification_email.apply(args=[made.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_database_error_before_sending_is_retried_and_the_email_goes_once(
    consultation, monkeypatch
):
    made = _notification(consultation)
    calls = _fail_once(monkeypatch, "_claim")
    assert notification_email.apply(args=[made.pk]).get() is True
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    made.refresh_from_db()
    assert made.emailed_at is not None


def test_a_claim_holds_off_other_senders_until_it_expires(consultation):
    made = _notification(consultation)
    Notification.objects.filter(pk=made.pk).update(
        email_claim="another-task", email_claimed_at=timezone.now()
    )
    with pytest.raises(emails.EmailClaimed):
        emails.send_notification_email(made.pk, claim="this-task")
    assert mail.outbox == []
    # The other sender died before recording: once its claim expires, the email goes.
    Notification.objects.filter(pk=made.pk).update(
        email_claimed_at=timezone.now() - emails.claim_timeout() - timedelta(seconds=1)
    )
    assert emails.send_notification_email(made.pk, claim="this-task") is True
    assert len(mail.outbox) == 1
    # Its own retry (same claim) may send; a recorded email never goes again.
    assert emails.send_notification_email(made.pk, claim="another-task") is False
    assert len(mail.outbox) == 1


def test_no_email_is_sent_inside_a_transaction(consultation, monkeypatch):
    from django.db import connection

    made = _notification(consultation)
    seen = []
    real = emails.build_email

    def build(notification):
        message = real(notification)
        real_send = message.send

        def send(*args, **kwargs):
            # pytest-django wraps the test in one atomic block: the claim's own has closed.
            seen.append(len(connection.atomic_blocks))
            return real_send(*args, **kwargs)

        message.send = send
        return message

    monkeypatch.setattr(emails, "build_email", build)
    before = len(connection.atomic_blocks)
    assert emails.send_notification_email(made.pk) is True
    assert seen == [before]


def test_two_failed_attempts_of_a_packet_give_two_notifications(
    consultation, run_events, monkeypatch
):
    from packets import tasks

    monkeypatch.setattr(tasks.packet_build, "delay", lambda packet_id: None)
    c = consultation
    packet = Packet.objects.create(
        version=c.version,
        language="en",
        fingerprint="c" * 64,
        status=Packet.Status.BUILDING,
        requested_by=c.official,
    )
    with run_events():
        packets.packet_fail(packet_id=packet.pk, reason="The first try failed.")
    packet.refresh_from_db()
    with run_events():
        packets.packet_retry(packet=packet, by=c.official)
        packets.packet_fail(packet_id=packet.pk, reason="The second try failed.")
    told = Notification.objects.filter(recipient=c.official, kind=Kind.PACKET_FAILED)
    assert told.count() == 2
    assert sorted(told.values_list("detail", flat=True)) == [
        "The first try failed.",
        "The second try failed.",
    ]
    assert len([m for m in mail.outbox if m.to == [c.official.email]]) == 2


def test_an_unrecorded_digest_waits_for_its_claim_to_expire_before_going_again(
    consultation, monkeypatch
):
    from notifications.models import Delivery
    from notifications.services import preference_set

    c = consultation
    preference_set(user=c.stakeholder_a, kind=Kind.CLOSED, delivery=Delivery.DIGEST)
    made = _notification(c)
    sends = []
    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", lambda self: sends.append(1) or 1)
    assert emails.send_digest(c.stakeholder_a.pk) == 1
    assert len(sends) == 1
    # As if the digest went but its recording was lost: the claim holds off a second run.
    waiting = Notification.objects.filter(pk=made.pk)
    waiting.update(emailed_at=None)
    assert emails.send_digest(c.stakeholder_a.pk) == 0
    assert len(sends) == 1
    waiting.update(email_claimed_at=timezone.now() - emails.claim_timeout() - timedelta(seconds=1))
    assert emails.send_digest(c.stakeholder_a.pk) == 1
    assert len(sends) == 2

"""allauth's emails go through the outbox: stored and announced in the request, sent once."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from core import events
from core.models import OutboxEvent
from stakeholders import account_emails
from stakeholders.models import AccountEmail
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _ask_reset(client, email="owner@example.org"):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_a_reset_email_is_stored_and_announced_not_sent_in_the_request(
    client, db, django_capture_on_commit_callbacks, monkeypatch
):
    UserFactory(username="owner", email="owner@example.org")
    sent_now = []
    monkeypatch.setattr(account_emails, "send", lambda pk, **kw: sent_now.append(pk))
    with django_capture_on_commit_callbacks(execute=False):
        response = _ask_reset(client)
    assert response.status_code == 302
    assert mail.outbox == []  # nothing left in the request itself
    row = AccountEmail.objects.get()
    assert row.to == "owner@example.org" and row.kind == "password_reset_key"
    assert "http" in row.body and row.sent_at is None
    event = OutboxEvent.objects.get(name="account.email")
    assert event.payload == {"account_email_id": row.pk}
    assert sent_now == []


def test_the_stored_email_is_sent_once_and_its_link_erased(client, db):
    UserFactory(username="owner", email="owner@example.org")
    _ask_reset(client)
    row = AccountEmail.objects.get()
    link_line = next(line for line in row.body.splitlines() if "http" in line)
    assert account_emails.send(row.pk) is True
    assert account_emails.send(row.pk) is False  # a redelivery sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert link_line.strip() in message.body
    assert message.extra_headers["X-Portal-Account-Email"] == "password_reset_key"
    row.refresh_from_db()
    assert row.sent_at is not None and row.body == "" and row.html == ""


def test_a_mail_server_that_is_down_loses_nothing(client, db, monkeypatch):
    UserFactory(username="owner", email="owner@example.org")
    _ask_reset(client)
    row = AccountEmail.objects.get()

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(ConnectionRefusedError):
        account_emails.send(row.pk)
    row.refresh_from_db()
    assert row.sent_at is None and row.body  # kept for the retry
    monkeypatch.undo()
    # The retry (a task's retry carries its claim) sends it.
    assert account_emails.send(row.pk, claim=row.claim) is True
    assert len(mail.outbox) == 1


def test_the_relay_delivers_the_event_to_the_task(client, transactional_db):
    from portal.celery import app

    UserFactory(username="owner", email="owner@example.org")
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        _ask_reset(client)
        events.relay_pending()
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved
    assert len(mail.outbox) == 1
    assert AccountEmail.objects.get().sent_at is not None
    assert OutboxEvent.objects.get(name="account.email").dispatched_at is not None

"""The transactional outbox: a broker outage delays an event's consequences, never loses them."""

import pytest
from kombu.exceptions import OperationalError as BrokerDown

from core import events
from core.models import OutboxEvent
from packets import services as packet_services
from packets import tasks as packet_tasks
from packets.models import Packet
from tests.comments.conftest import post_comment
from tests.packets.conftest import tell_story

pytestmark = pytest.mark.django_db


def _forget_setup_events():
    """The parent comment's own event (``comment.created``) is not what these tests follow."""
    OutboxEvent.objects.all().delete()


def broker_down(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_reply_with_the_broker_down_is_saved_and_relayed_exactly_once_later(
    consultation, api_client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks as notification_tasks

    c = consultation
    parent = post_comment(c, user=c.stakeholder_a)
    _forget_setup_events()
    monkeypatch.setattr(notification_tasks.fan_out, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(c.stakeholder_b).post(
            f"/api/v1/comments/{parent.pk}/replies/", {"body": "Still saved."}, format="json"
        )

    assert response.status_code == 201, response.content
    reply_id = response.json()["id"]
    assert parent.replies.filter(pk=reply_id).exists()
    event = OutboxEvent.objects.get(name="comment.replied")
    assert event.payload == {"comment_id": reply_id}
    assert event.dispatched_at is None
    assert event.attempts == 1
    assert "OperationalError" in event.last_error

    # The broker is back: the relay hands the event over, once, however often it runs.
    sent = []
    monkeypatch.setattr(
        notification_tasks.fan_out, "delay", lambda name, payload: sent.append((name, payload))
    )
    assert events.relay_pending() == 1
    assert events.relay_pending() == 0
    assert sent == [("comment.replied", {"comment_id": reply_id})]
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.attempts == 2


def test_an_event_delivered_at_once_is_not_relayed_again(
    consultation, monkeypatch, django_capture_on_commit_callbacks
):
    from comments import services
    from notifications import tasks as notification_tasks

    c = consultation
    sent = []
    monkeypatch.setattr(notification_tasks.fan_out, "delay", lambda *a: sent.append(a))
    parent = post_comment(c, user=c.stakeholder_a)
    _forget_setup_events()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reply(by=c.stakeholder_b, parent=parent, body="Hello.")
    assert len(sent) == 1
    assert events.relay_pending() == 0
    assert len(sent) == 1
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_a_rolled_back_change_leaves_no_event(consultation, monkeypatch):
    from django.db import transaction

    from comments import services

    c = consultation
    parent = post_comment(c, user=c.stakeholder_a)
    _forget_setup_events()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_reply(by=c.stakeholder_b, parent=parent, body="Never saved.")
        raise RuntimeError
    assert not OutboxEvent.objects.exists()


def test_the_relay_keeps_order_and_stops_at_the_first_failure(consultation, monkeypatch):
    seen = []
    broker = {"up": False}

    def listener(n):
        if n == 2 and not broker["up"]:
            raise BrokerDown("down")
        seen.append(n)

    monkeypatch.setitem(events._listeners, "test.numbered", [listener])
    for n in (1, 2, 3):
        events.emit("test.numbered", n=n)  # in the test's transaction: not yet delivered
    assert events.relay_pending() == 1
    assert seen == [1]  # 3 waits behind 2, whose delivery failed
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2
    broker["up"] = True
    assert events.relay_pending() == 2
    assert seen == [1, 2, 3]


def test_the_management_command_relays(consultation, monkeypatch):
    from django.core.management import call_command

    delivered = []
    monkeypatch.setitem(events._listeners, "test.thing", [lambda **p: delivered.append(p)])
    OutboxEvent.objects.create(name="test.thing", payload={"thing_id": 7})
    call_command("outbox_relay")
    assert delivered == [{"thing_id": 7}]
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def build_inline(packet_id: int) -> None:
    """What the workers do, in this process: plan the build, then each part; the last part
    sends the merge (run here too, see ``inline_parts``)."""
    packet_tasks.packet_build.run(packet_id)


@pytest.fixture
def inline_parts(monkeypatch):
    """Parts and the merge run at once in this process instead of going through the broker."""
    monkeypatch.setattr(
        packet_tasks.packet_render_part,
        "delay",
        lambda packet_id, token, index: packet_services.packet_render_part(
            packet_id=packet_id, token=token, index=index
        ),
    )
    monkeypatch.setattr(
        packet_tasks.packet_finish,
        "delay",
        lambda packet_id, token, merge_token: packet_services.packet_finish(
            packet_id=packet_id, token=token, merge_token=merge_token
        ),
    )


def test_a_packet_requested_with_the_broker_down_is_built_when_it_returns(
    consultation, api_client_for, monkeypatch, django_capture_on_commit_callbacks, inline_parts
):
    story = tell_story(consultation)
    monkeypatch.setattr(packet_tasks.packet_build, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(consultation.official).post(
            f"/api/v1/versions/{story.version.pk}/packets/", {"language": "en"}, format="json"
        )
    assert response.status_code == 202, response.content
    packet = Packet.objects.get(pk=response.json()["id"])
    assert packet.status == Packet.Status.QUEUED
    assert OutboxEvent.objects.filter(name="packet.requested", dispatched_at=None).count() == 1

    monkeypatch.setattr(packet_tasks.packet_build, "delay", build_inline)  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert events.relay_pending() >= 1
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY
    assert events.relay_pending() == 0


def test_a_web_reply_with_the_broker_down_redirects_to_the_saved_reply(
    consultation, client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from notifications import tasks as notification_tasks

    c = consultation
    parent = post_comment(c, user=c.stakeholder_a)
    _forget_setup_events()
    monkeypatch.setattr(notification_tasks.fan_out, "delay", broker_down)
    client.force_login(c.stakeholder_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:reply", args=[parent.pk]),
            {"body": "Saved anyway.", "visibility": "public"},
        )
    assert response.status_code == 302
    assert parent.replies.count() == 1
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 1


def test_an_event_whose_listener_fails_does_not_hold_up_the_others_and_is_parked(
    settings, monkeypatch
):
    """A bug in one listener is not a broker outage: the events behind it are delivered,
    and after OUTBOX_MAX_ATTEMPTS the failing one is parked, kept with its error."""
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_MAX_ATTEMPTS": 2}
    delivered = []

    def broken(**payload):
        raise TypeError("a bug in this listener")

    monkeypatch.setitem(events._listeners, "test.broken", [broken])
    monkeypatch.setitem(events._listeners, "test.fine", [lambda **p: delivered.append(p["n"])])
    bad = OutboxEvent.objects.create(name="test.broken", payload={})
    for n in (1, 2):
        OutboxEvent.objects.create(name="test.fine", payload={"n": n})
    assert events.relay_pending() == 2
    assert delivered == [1, 2]
    assert events.relay_pending() == 0  # the second failure parks it
    assert events.relay_pending() == 0  # parked: no longer tried
    bad.refresh_from_db()
    assert bad.attempts == 2
    assert bad.dispatched_at is None
    assert "a bug in this listener" in bad.last_error


def test_a_broker_outage_stops_the_relay_and_keeps_the_order(monkeypatch):
    calls = []

    def down(**payload):
        calls.append(payload["n"])
        broker_down()

    monkeypatch.setitem(events._listeners, "test.down", [down])
    for n in (1, 2):
        OutboxEvent.objects.create(name="test.down", payload={"n": n})
    assert events.relay_pending() == 0
    assert calls == [1]  # the second was not tried behind the outage


def test_delivered_events_are_forgotten_after_the_keeping_time():
    from datetime import timedelta

    from django.utils import timezone

    old = OutboxEvent.objects.create(name="x", payload={})
    old.dispatched_at = timezone.now() - timedelta(days=30)
    old.save()
    recent = OutboxEvent.objects.create(name="x", payload={}, dispatched_at=timezone.now())
    waiting = OutboxEvent.objects.create(name="x", payload={})
    assert events.prune_dispatched(older_than_days=14) == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_the_events_of_one_posting_are_delivered_together_after_it_commits(
    consultation, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Posting emits two events; one delivery transaction takes both (one SELECT … FOR
    UPDATE, one UPDATE marking both), in the order they were emitted."""
    from comments import services as comment_services
    from comments import tasks as comment_tasks
    from desk import tasks as desk_tasks

    c = consultation
    sent = []
    monkeypatch.setattr(comment_tasks.receipt_send, "delay", lambda *a: sent.append("receipt"))
    monkeypatch.setattr(desk_tasks.clusters_recompute, "delay", lambda *a: sent.append("cluster"))
    with django_capture_on_commit_callbacks() as callbacks:
        comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Posted now."
        )
    emitted = OutboxEvent.objects.order_by("pk")
    assert [event.name for event in emitted] == ["comment.submitted", "comment.created"]
    # One hook per event (and the thread's revision touch, which is no query); the first
    # event's hook delivers both.
    with django_assert_num_queries(4):  # savepoint, SELECT, UPDATE, release
        for callback in callbacks:
            callback()
    assert sent == ["receipt", "cluster"]
    assert list(emitted.values_list("attempts", flat=True)) == [1, 1]
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_an_event_whose_transaction_did_not_commit_is_not_delivered_by_a_later_one(
    consultation, monkeypatch, django_capture_on_commit_callbacks
):
    """A test runs the commit hooks of some steps only, standing for transactions that
    committed; an event of a step whose hooks did not run (its transaction lost, or
    never committed) waits for the relay, even when emitted on the same connection
    just before, and is never delivered by another event's hook."""
    delivered = []
    monkeypatch.setitem(events._listeners, "test.step", [lambda n: delivered.append(n)])
    with django_capture_on_commit_callbacks(execute=False):
        events.emit("test.step", n=1)  # its hook never runs
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.step", n=2)
        events.emit("test.step", n=3)
    assert delivered == [2, 3]
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.step", n=4)
    assert delivered == [2, 3, 4]
    assert list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True).values_list("payload", flat=True)
    ) == [{"n": 1}]
    assert events.relay_pending() == 1
    assert delivered == [2, 3, 4, 1]


def test_an_event_of_a_rolled_back_savepoint_is_left_out_of_its_batch(
    consultation, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    delivered = []
    monkeypatch.setitem(events._listeners, "test.step", [lambda n: delivered.append(n)])
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.step", n=1)
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit("test.step", n=2)
            raise RuntimeError
        events.emit("test.step", n=3)
    assert delivered == [1, 3]
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_events_emitted_together_are_written_at_once_in_order_and_not_at_all_on_error(
    consultation, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    delivered = []
    monkeypatch.setitem(events._listeners, "test.step", [lambda n: delivered.append(n)])
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1), events.together():
            events.emit("test.step", n=1)
            events.emit("test.step", n=2)
        assert delivered == []  # not before commit
    assert delivered == [1, 2]
    assert [e.payload for e in OutboxEvent.objects.order_by("pk")] == [{"n": 1}, {"n": 2}]
    with pytest.raises(RuntimeError), events.together():
        events.emit("test.step", n=3)
        raise RuntimeError
    assert OutboxEvent.objects.count() == 2

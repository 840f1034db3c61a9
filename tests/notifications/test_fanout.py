"""Who hears about what: each event reaches the right people, and only them."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from comments import services as comments
from core.events import emit
from drafts import services as drafts
from drafts.models import DraftVersion
from drafts.tasks import consultations_close_due
from notifications import fanout
from notifications.models import Delivery, Kind, Notification
from notifications.services import preference_set
from notifications.tasks import (
    consultation_reminders,
    fan_out,
    notification_email,
)
from packets.models import Packet
from tests.factories import member


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_reply_notifies_the_author_of_the_comment_replied_to(consultation, run_events):
    c = consultation
    with run_events():
        first = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Too broad."
        )
        comments.comment_reply(by=c.stakeholder_b, parent=first, body="We agree with this.")
        comments.comment_reply(by=c.stakeholder_a, parent=first, body="Adding a detail.")
    assert recipients(Kind.COMMENT_REPLY) == {"alice"}
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "Bob replied to your comment on Article 1 of IT Crimes Law" in message.subject
    assert "We agree with this." in message.body
    html = message.alternatives[0][0]
    assert "We agree with this." in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_a_restricted_reply_never_notifies_someone_who_cannot_see_it(consultation, run_events):
    """Alice opens a public thread; Bob replies; a drafter answers Bob in a restricted reply.

    The restricted reply is visible to Alice's organisation (it opened the
    thread) and to reviewers, not to Bob's: Bob must not even hear of it.
    """
    c = consultation
    with run_events():
        opening = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Opening."
        )
        bobs = comments.comment_reply(by=c.stakeholder_b, parent=opening, body="Bob's view.")
    assert recipients(Kind.COMMENT_REPLY) == {"alice"}
    mail.outbox.clear()
    with run_events():
        private = comments.comment_reply(
            by=c.drafter, parent=bobs, body="Confidential answer.", visibility="restricted"
        )
    assert private.visibility == "restricted"
    assert not Notification.objects.filter(comment=private).exists()
    assert mail.outbox == []
    # ... while a restricted reply to Alice, whose organisation may read it, reaches her.
    with run_events():
        comments.comment_reply(
            by=c.drafter, parent=opening, body="Answer for Alice.", visibility="restricted"
        )
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_a_disposition_reaches_the_author_and_the_endorsing_organisations(consultation, run_events):
    c = consultation
    colleague_b = member(organisation=c.org_b, username="bobs_colleague")
    outsider = member(organisation=c.other_ministry, username="outsider")
    with run_events():
        note = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Define 'data'."
        )
        comments.endorsement_create(comment=note, by=c.stakeholder_b)
        comments.disposition_record(
            comment=note, by=c.drafter, status="accepted", response="We will define it."
        )
    assert recipients(Kind.DISPOSITION) == {"alice", "bob", colleague_b.username}
    assert outsider.username not in recipients(Kind.DISPOSITION)
    assert {m.to[0] for m in mail.outbox} == {
        "alice@example.org",
        "bob@example.org",
        "bobs_colleague@example.org",
    }
    message = emails_to(c.stakeholder_a)[0]
    assert "Accepted" in message.subject
    assert "We will define it." in message.body


def test_a_disposition_on_a_restricted_comment_skips_people_who_cannot_see_it(
    consultation, run_events
):
    """The Assembly endorses a restricted note; its clerk, a mere stakeholder, cannot read it."""
    c = consultation
    clerk = member(organisation=c.assembly, username="clerk")
    with run_events():
        note = comments.comment_create(
            by=c.stakeholder_a,
            version=c.version,
            provision=c.article,
            body="Private note.",
            visibility="restricted",
        )
        comments.endorsement_create(comment=note, by=c.official)
        comments.disposition_record(
            comment=note, by=c.drafter, status="noted", response="Thank you."
        )
    assert recipients(Kind.DISPOSITION) == {"alice", "official"}
    assert clerk.email not in {m.to[0] for m in mail.outbox}


def test_a_hidden_comment_tells_its_author_why(consultation, run_events):
    c = consultation
    with run_events():
        note = comments.comment_create(
            by=c.stakeholder_b, version=c.version, provision=c.article, body="Rude words."
        )
        comments.comment_hide(comment=note, by=c.moderator, reason="Personal attack.")
    (notification,) = Notification.objects.filter(kind=Kind.COMMENT_HIDDEN)
    assert notification.recipient == c.stakeholder_b
    assert notification.detail == "Personal attack."
    (message,) = mail.outbox
    assert "Personal attack." in message.body
    assert "A moderator hid your comment" in message.subject


def test_a_new_version_reaches_followers_with_a_link_to_the_redline(
    consultation, run_events, follow, client
):
    c = consultation
    follow(c.stakeholder_a, c.draft)
    follow(c.official, c.draft)
    follow(c.drafter, c.draft)  # the publisher is not told about their own act
    with run_events():
        nxt = drafts.version_start_next(draft=c.draft, by=c.drafter)
        drafts.version_publish(
            version=nxt, by=c.drafter, closes_at=timezone.now() + timedelta(days=20)
        )
    assert recipients(Kind.VERSION_PUBLISHED) == {"alice", "official"}
    notification = Notification.objects.get(recipient=c.stakeholder_a)
    assert notification.version == nxt
    client.force_login(c.stakeholder_a)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/drafts/{c.draft.slug}/compare/1/2/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "http://" in emails_to(c.stakeholder_a)[0].body


def test_closing_soon_is_told_once_per_version_however_often_beat_runs(
    consultation, run_events, follow
):
    c = consultation
    follow(c.stakeholder_a, c.draft)
    assert fanout.consultations_closing_soon() == 0  # closes in 30 days: too early
    c.version.closes_at = timezone.now() + timedelta(days=2, hours=20)
    c.version.save()
    with run_events():
        assert fanout.consultations_closing_soon() == 1
        assert fanout.consultations_closing_soon() == 0
        assert fanout.consultations_closing_soon() == 0
    assert recipients(Kind.CLOSING_SOON) == {"alice"}
    assert len(mail.outbox) == 1
    assert "close on" in mail.outbox[0].subject


def test_a_consultation_closes_by_itself_once_and_followers_hear_once(
    consultation, run_events, follow
):
    c = consultation
    follow(c.stakeholder_a, c.draft)
    follow(c.stakeholder_b, c.draft)
    c.version.closes_at = timezone.now() - timedelta(seconds=1)
    c.version.save()
    with run_events():
        assert consultations_close_due() == [c.version.pk]
        assert consultations_close_due() == []
        # A redelivered fan-out task changes nothing.
        fan_out("version.closed", {"version_id": c.version.pk})
    c.version.refresh_from_db()
    assert c.version.status == DraftVersion.Status.CLOSED
    assert recipients(Kind.CLOSED) == {"alice", "bob"}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]


def test_a_packet_tells_the_person_who_asked_when_ready_or_failed(consultation, run_events):
    c = consultation
    c.version.status = DraftVersion.Status.CLOSED
    c.version.save()
    ready = Packet.objects.create(
        version=c.version,
        language="en",
        fingerprint="a" * 64,
        status=Packet.Status.READY,
        requested_by=c.official,
        page_count=12,
        attempts=1,
    )
    failed = Packet.objects.create(
        version=c.version,
        language="km",
        fingerprint="b" * 64,
        status=Packet.Status.FAILED,
        requested_by=c.drafter,
        error="The Khmer font is missing.",
        attempts=3,
    )
    with run_events():
        emit("packet.ready", packet_id=ready.pk)
        emit("packet.failed", packet_id=failed.pk)
        emit("packet.failed", packet_id=ready.pk)  # not failed: nobody is told
    assert recipients(Kind.PACKET_READY) == {"official"}
    assert recipients(Kind.PACKET_FAILED) == {"drafter"}
    failure = emails_to(c.drafter)[0]
    assert "could not be built" in failure.subject
    assert "The Khmer font is missing." in failure.body
    assert "12 pages" in emails_to(c.official)[0].body


def test_emails_speak_the_recipients_language(consultation, run_events):
    c = consultation
    c.stakeholder_a.preferred_language = "km"
    c.stakeholder_a.save()
    with run_events():
        first = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Note."
        )
        comments.comment_reply(by=c.stakeholder_b, parent=first, body="Reply.")
    (message,) = mail.outbox
    assert c.draft.short_title_km in message.subject  # the draft's Khmer title
    assert '<html lang="km">' in message.alternatives[0][0]


def test_running_a_task_twice_gives_one_notification_and_one_email(consultation, run_events):
    c = consultation
    with run_events():
        first = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Note."
        )
        reply = comments.comment_reply(by=c.stakeholder_b, parent=first, body="Reply.")
        fan_out("comment.replied", {"comment_id": reply.pk})
        fan_out("comment.replied", {"comment_id": reply.pk})
    (notification,) = Notification.objects.all()
    assert notification.emailed_at is not None
    assert notification_email(notification.pk) is False
    assert len(mail.outbox) == 1
    # The message names its notification, so a second copy could be told apart.
    assert mail.outbox[0].extra_headers["X-Portal-Notification"] == str(notification.pk)


def test_preferences_decide_the_channel(consultation, run_events):
    c = consultation
    preference_set(user=c.stakeholder_a, kind=Kind.COMMENT_REPLY, delivery=Delivery.OFF)
    preference_set(user=c.stakeholder_b, kind=Kind.COMMENT_REPLY, delivery=Delivery.PORTAL)
    with run_events():
        a_note = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="A."
        )
        b_note = comments.comment_create(
            by=c.stakeholder_b, version=c.version, provision=c.article, body="B."
        )
        comments.comment_reply(by=c.drafter, parent=a_note, body="To A.")
        comments.comment_reply(by=c.drafter, parent=b_note, body="To B.")
    assert recipients(Kind.COMMENT_REPLY) == {"bob"}
    assert Notification.objects.get().delivery == Delivery.PORTAL
    assert mail.outbox == []


def test_a_person_without_an_email_address_still_sees_the_bell(consultation, run_events):
    c = consultation
    c.stakeholder_a.email = ""
    c.stakeholder_a.save()
    with run_events():
        note = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="A."
        )
        comments.comment_reply(by=c.stakeholder_b, parent=note, body="Reply.")
    assert Notification.objects.get().delivery == Delivery.PORTAL
    assert mail.outbox == []


def test_a_scheduled_opening_is_announced_once_when_it_comes(consultation, run_events, follow):
    c = consultation
    follow(c.stakeholder_a, c.draft)
    now = timezone.now()
    c.version.published_at = now - timedelta(days=2)
    c.version.opens_at = now + timedelta(hours=1)
    c.version.closes_at = now + timedelta(days=20)
    c.version.save()
    with run_events():
        assert consultation_reminders() == 0  # not open yet
    c.version.opens_at = now - timedelta(minutes=3)
    c.version.save()
    with run_events():
        assert consultation_reminders() == 1
        assert consultation_reminders() == 0
    assert recipients(Kind.OPENED) == {"alice"}
    (message,) = mail.outbox
    assert "are now open" in message.subject


def test_beat_runs_the_calendar_tasks_that_exist():
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]

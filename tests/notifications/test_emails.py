"""Digests, unsubscribe links and the idempotence of sending."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from comments import services as comments
from notifications import emails
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.services import delivery_for, notify, preference_set
from notifications.tasks import digests_send
from notifications.tokens import unsubscribe_token


def _reply_to(c, author, body="Reply."):
    note = comments.comment_create(
        by=author, version=c.version, provision=c.article, body="A note."
    )
    return comments.comment_reply(by=c.drafter, parent=note, body=body)


def test_a_digest_gathers_a_days_events_in_one_email(consultation, run_events, follow):
    c = consultation
    for kind in Kind.values:
        preference_set(user=c.stakeholder_a, kind=kind, delivery=Delivery.DIGEST)
    follow(c.stakeholder_a, c.draft)
    with run_events():
        _reply_to(c, c.stakeholder_a, body="First reply.")
        _reply_to(c, c.stakeholder_a, body="Second reply.")
        note = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Hide me."
        )
        comments.comment_hide(comment=note, by=c.moderator, reason="Off topic.")
    c.version.closes_at = timezone.now() + timedelta(days=1)
    c.version.save()
    with run_events():
        from notifications.fanout import consultations_closing_soon

        consultations_closing_soon()
    assert mail.outbox == []  # nothing at once: it waits for the digest
    assert Notification.objects.filter(recipient=c.stakeholder_a).count() == 4

    with run_events():
        assert digests_send() == 1
        assert digests_send() == 0  # a second run of beat's task sends nothing more
    (digest,) = mail.outbox
    assert digest.to == ["alice@example.org"]
    assert "4 updates" in digest.subject
    assert digest.body.count("Drafter replied to your comment") == 2
    assert "A moderator hid your comment" in digest.body
    assert "close on" in digest.body
    # one section per kind, each with its own unsubscribe link, and one for all
    html = digest.alternatives[0][0]
    assert html.count("<h2>") == 3
    assert len(re.findall(r"/notifications/unsubscribe/", digest.body)) == 4
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_digest_leaves_out_what_came_after_its_cutoff(consultation):
    c = consultation
    preference_set(user=c.stakeholder_a, kind=Kind.CLOSED, delivery=Delivery.DIGEST)
    old = notify(
        recipient=c.stakeholder_a, kind=Kind.CLOSED, key="1", version=c.version, draft=c.draft
    )
    cutoff = timezone.now()
    Notification.objects.filter(pk=old.pk).update(created_at=cutoff - timedelta(hours=3))
    later = notify(
        recipient=c.stakeholder_a, kind=Kind.CLOSED, key="2", version=c.version, draft=c.draft
    )
    Notification.objects.filter(pk=later.pk).update(created_at=cutoff + timedelta(minutes=1))
    assert digests_send(before=cutoff.isoformat()) == 1
    assert "1 update " in mail.outbox[0].subject
    later.refresh_from_db()
    assert later.emailed_at is None


def test_turning_email_off_empties_the_waiting_digest(consultation):
    c = consultation
    preference_set(user=c.stakeholder_a, kind=Kind.CLOSED, delivery=Delivery.DIGEST)
    notify(recipient=c.stakeholder_a, kind=Kind.CLOSED, key="1", version=c.version, draft=c.draft)
    preference_set(user=c.stakeholder_a, kind=Kind.CLOSED, delivery=Delivery.PORTAL)
    assert digests_send() == 0
    assert mail.outbox == []


def test_sending_twice_sends_once(consultation):
    c = consultation
    made = notify(
        recipient=c.stakeholder_a, kind=Kind.CLOSED, key="9", version=c.version, draft=c.draft
    )
    assert emails.send_notification_email(made.pk) is True
    assert emails.send_notification_email(made.pk) is False
    assert len(mail.outbox) == 1
    assert notify(recipient=c.stakeholder_a, kind=Kind.CLOSED, key="9", version=c.version) is None


def _unsubscribe_url(message) -> str:
    return re.search(r"<(http[^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)


def test_the_unsubscribe_link_works_without_signing_in(consultation, run_events):
    c = consultation
    with run_events():
        _reply_to(c, c.stakeholder_a)
    (message,) = mail.outbox
    url = _unsubscribe_url(message)
    assert url in message.body
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(f"/{path}")
    assert page.status_code == 200
    assert "Someone replied to my comment" in page.content.decode()
    assert (
        delivery_for(c.stakeholder_a, Kind.COMMENT_REPLY) == Delivery.IMMEDIATE
    )  # GET changes nothing

    done = anonymous.post(f"/{path}")
    assert done.status_code == 200
    assert delivery_for(c.stakeholder_a, Kind.COMMENT_REPLY) == Delivery.PORTAL
    # only that kind: the others still arrive by email
    assert delivery_for(c.stakeholder_a, Kind.DISPOSITION) == Delivery.IMMEDIATE

    mail.outbox.clear()
    with run_events():
        _reply_to(c, c.stakeholder_a)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=c.stakeholder_a).count() == 2


def test_one_click_unsubscribe_per_rfc_8058(consultation):
    c = consultation
    token = unsubscribe_token(c.stakeholder_b, [Kind.CLOSING_SOON, Kind.CLOSED])
    response = Client(enforce_csrf_checks=True).post(
        f"/notifications/unsubscribe/{token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert set(Preference.objects.filter(user=c.stakeholder_b).values_list("kind", "delivery")) == {
        (Kind.CLOSING_SOON, Delivery.PORTAL),
        (Kind.CLOSED, Delivery.PORTAL),
    }


def test_a_forged_unsubscribe_link_is_refused(consultation):
    c = consultation
    token = unsubscribe_token(c.stakeholder_b, [Kind.CLOSED])
    forged = token.replace(token.split(":")[0], "eyJ1IjoxfQ")
    client = Client()
    assert client.get(f"/notifications/unsubscribe/{forged}/").status_code == 400
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 400
    assert client.post(f"/notifications/unsubscribe/{token}x/").status_code == 400
    assert not Preference.objects.exists()


def test_the_email_renders_the_ministrys_response_as_the_thread_page_does(
    consultation, run_events, client
):
    """One rendering of a response: Markdown made safe, the same on the page and in the email."""
    from django.urls import reverse

    c = consultation
    with run_events():
        note = comments.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Define 'data'."
        )
        comments.disposition_record(
            comment=note,
            by=c.drafter,
            status="accepted",
            response="A **major** improvement; see <script>x()</script> the definition.",
        )
    rendered = "<strong>major</strong>"
    (message,) = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    html = message.alternatives[0][0]
    assert rendered in html
    assert "<script>" not in html
    page = client.get(
        reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])
    ).content.decode()
    assert rendered in page
    assert "<script>x()" not in page


def test_the_email_footer_names_the_settings_in_words_and_ends_the_summary_once():
    from django.template.loader import render_to_string

    from notifications.emails import as_sentence
    from notifications.models import Kind

    text = render_to_string(
        "notifications/email/base.txt",
        {
            "recipient": "Sok",
            "summary_sentence": as_sentence("Comments close at 5 p.m."),
            "link": "https://example.org/n/1",
            "kind_labels": "; ".join(str(Kind(k).label) for k in ("closed", "opened")),
            "unsubscribe_url": "https://example.org/u",
            "preferences_url": "https://example.org/p",
        },
    )
    assert "5 p.m.\n" in text and "p.m.." not in text
    assert "['" not in text
    assert f"settings for: {Kind('closed').label}; {Kind('opened').label}." in text


def test_a_khmer_summary_ends_with_the_khmer_full_stop():
    from django.utils import translation

    from notifications.emails import as_sentence

    with translation.override("km"):
        assert as_sentence("ក្រសួងបានឆ្លើយតប") == "ក្រសួងបានឆ្លើយតប។"
        assert as_sentence("ក្រសួងបានឆ្លើយតប។") == "ក្រសួងបានឆ្លើយតប។"

"""Emails: one per notification, or one digest a day, in the recipient's language.

Each kind has three translatable templates under ``templates/notifications/email/``:
``subject/<kind>.txt`` (also the line shown in the portal), ``<kind>.txt`` and
``<kind>.html``. An email is claimed, sent, then recorded, each step committed
on its own (``send_notification_email`` says why), so two runs of the same task
send one email and a failed commit never hides a sent one.
"""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .links import absolute
from .models import Delivery, Kind, Notification
from .tokens import unsubscribe_token

User = get_user_model()

RELATED = (
    "recipient",
    "actor",
    "draft",
    "version",
    "version__draft",
    "comment",
    "comment__provision",
    "packet",
)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _language(user) -> str:
    return user.preferred_language if user.preferred_language in ("en", "km") else "en"


def summary(notification: Notification) -> str:
    """One sentence saying what happened, in the active language."""
    return _one_line(
        render_to_string(
            f"notifications/email/subject/{notification.kind}.txt",
            {"n": notification, "actor": notification.actor},
        )
    )


def as_sentence(text: str) -> str:
    """The summary line ended as a sentence in the active language, once ("5 p.m." stays as is)."""
    if text.endswith((".", "!", "?", "។", "៕")):
        return text
    return text + ("។" if translation.get_language() == "km" else ".")


def _footer_context(user, kinds) -> dict:
    token = unsubscribe_token(user, kinds)
    return {
        "recipient": user,
        "unsubscribe_url": absolute(reverse("notifications:unsubscribe", args=[token])),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "notifications_url": absolute(reverse("notifications:list")),
        # Joined here: a filter inside {% blocktranslate with %} printed the list's repr.
        "kind_labels": "; ".join(str(Kind(kind).label) for kind in sorted(set(kinds))),
    }


def _message(*, user, subject, context, template) -> EmailMultiAlternatives:
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer a one-click unsubscribe.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_email(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(_language(user)):
        context = {
            **_footer_context(user, [notification.kind]),
            "n": notification,
            "actor": notification.actor,
            "link": absolute(reverse("notifications:open", args=[notification.pk])),
        }
        subject = context["summary"] = summary(notification)
        context["summary_sentence"] = as_sentence(subject)
        message = _message(
            user=user,
            subject=subject,
            context=context,
            template=f"notifications/email/{notification.kind}",
        )
    # Which notification a message carries, for support questions ("did I get
    # it twice?") and for the fault-injection suite's exactly-once check.
    message.extra_headers["X-Portal-Notification"] = str(notification.pk)
    return message


class EmailClaimed(Exception):
    """Another sender claimed this email a moment ago and has not recorded it yet."""

    def __init__(self, retry_in: int):
        super().__init__(f"claimed by another sender; look again in {retry_in}s")
        self.retry_in = retry_in


class SentNotRecorded(Exception):
    """The email went, but recording ``emailed_at`` failed: a retry must only record it."""


def claim_timeout() -> timedelta:
    """How long a claim holds off other senders: well above an SMTP conversation."""
    return timedelta(seconds=int(settings.PORTAL.get("EMAIL_CLAIM_SECONDS", 600)))


def _claim(notification_id: int, claim: str) -> Notification | None:
    """Claim the email in a transaction of its own; None when there is nothing to send."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if locked is None or locked.emailed_at is not None:
            return None
        if locked.delivery != Delivery.IMMEDIATE:
            return None
        now = timezone.now()
        if (
            locked.email_claim
            and locked.email_claim != claim
            and locked.email_claimed_at is not None
            and locked.email_claimed_at > now - claim_timeout()
        ):
            left = locked.email_claimed_at + claim_timeout() - now
            raise EmailClaimed(max(1, int(left.total_seconds())))
        notification = Notification.objects.select_related(*RELATED).get(pk=locked.pk)
        if not notification.recipient.email or not notification.recipient.is_active:
            return None
        locked.email_claim = claim
        locked.email_claimed_at = now
        locked.save(update_fields=["email_claim", "email_claimed_at"])
    return notification


def _record_sent(notification_id: int) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )


def send_notification_email(
    notification_id: int, *, claim: str | None = None, sent: bool = False
) -> bool:
    """Email one notification unless it has been emailed already. True if it was sent now.

    Three steps, each committed on its own: claim the email (``email_claim``,
    ``email_claimed_at``), send it, record ``emailed_at``. No email is ever
    sent inside a transaction that could still roll back, so a failed commit
    cannot leave a sent email unrecorded: if recording fails,
    ``SentNotRecorded`` tells the task to retry the recording alone
    (``sent=True``), never the sending.

    The choice is *at least once*, with duplicates confined to one narrow
    window. A claim by another sender (``claim`` is the task's id, the same on
    its retries and redeliveries) holds others off for ``claim_timeout()``;
    after that, an email still not recorded is sent again. The only way to
    get two is a worker killed between the mail server accepting the message
    and the recording commit (milliseconds). The other choice, never re-sending
    after a claim, would silently lose every email whose worker died before
    sending, and the people who rely on these emails are told that a
    consultation closes, that the ministry answered them, or that their packet
    failed: for a public consultation a lost notice costs a voice in the
    process, a rare duplicate costs a second look at the inbox.
    """
    claim = claim or uuid.uuid4().hex
    if not sent:
        notification = _claim(notification_id, claim)
        if notification is None:
            return False
        build_email(notification).send()
    try:
        _record_sent(notification_id)
    except DatabaseError as exc:
        raise SentNotRecorded(str(exc)) from exc
    return True


def build_digest(user, items: list[Notification]) -> EmailMultiAlternatives:
    with translation.override(_language(user)):
        groups = {}
        for item in items:
            groups.setdefault(item.kind, []).append(
                {
                    "n": item,
                    "summary": summary(item),
                    "link": absolute(reverse("notifications:open", args=[item.pk])),
                }
            )
        sections = [
            {
                "kind": kind,
                "label": Kind(kind).label,
                "items": groups[kind],
                "unsubscribe_url": absolute(
                    reverse("notifications:unsubscribe", args=[unsubscribe_token(user, [kind])])
                ),
            }
            for kind in Kind.values
            if kind in groups
        ]
        context = {
            **_footer_context(user, list(groups)),
            "sections": sections,
            "count": len(items),
            "first_at": items[0].created_at,
            "last_at": items[-1].created_at,
        }
        subject = _one_line(render_to_string("notifications/email/digest_subject.txt", context))
        return _message(
            user=user, subject=subject, context=context, template="notifications/email/digest"
        )


def send_digest(user_id: int, before=None) -> int:
    """Email one person everything waiting for their digest; returns how many items went.

    As for single emails (``send_notification_email``): the items are claimed
    under the person's row lock and committed, the digest is sent outside any
    transaction, then the items are recorded. Two digest runs at once send one
    email (the second finds the items claimed); items claimed by a run that
    died unrecorded go in a later digest once the claim expires (at least once).
    """
    before = before or timezone.now()
    claim = uuid.uuid4().hex
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return 0
        now = timezone.now()
        items = list(
            Notification.objects.digest_pending()
            .filter(recipient=user, created_at__lte=before)
            .filter(
                Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - claim_timeout())
            )
            .select_related(*RELATED)
            .order_by("created_at", "pk")
        )
        if not items:
            return 0
        ids = [item.pk for item in items]
        Notification.objects.filter(pk__in=ids).update(email_claim=claim, email_claimed_at=now)
    build_digest(user, items).send()
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids, email_claim=claim).update(emailed_at=timezone.now())
    return len(items)


def digest_recipients(before=None) -> list[int]:
    before = before or timezone.now()
    return list(
        Notification.objects.digest_pending()
        .filter(created_at__lte=before)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )

"""Emails: one per notification, or one digest a day, in the recipient's language.

Each kind has three translatable templates under ``templates/notifications/email/``:
``subject/<kind>.txt`` (also the line shown in the portal), ``<kind>.txt`` and
``<kind>.html``. Sending takes a row lock and records ``emailed_at`` in the same
transaction, so two runs of the same task send one email.
"""

import re

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .links import absolute
from .models import Delivery, Kind, Notification
from .tokens import unsubscribe_token

User = get_user_model()

RELATED = ("recipient", "actor", "draft", "version", "version__draft", "comment", "packet")


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


def _footer_context(user, kinds) -> dict:
    token = unsubscribe_token(user, kinds)
    return {
        "recipient": user,
        "unsubscribe_url": absolute(reverse("notifications:unsubscribe", args=[token])),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "notifications_url": absolute(reverse("notifications:list")),
        "kind_labels": [Kind(kind).label for kind in sorted(set(kinds))],
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
        return _message(
            user=user,
            subject=subject,
            context=context,
            template=f"notifications/email/{notification.kind}",
        )


def send_notification_email(notification_id: int) -> bool:
    """Email one notification unless it has been emailed already. True if it was sent now."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if locked is None or locked.emailed_at is not None:
            return False
        if locked.delivery != Delivery.IMMEDIATE:
            return False
        notification = Notification.objects.select_related(*RELATED).get(pk=locked.pk)
        if not notification.recipient.email or not notification.recipient.is_active:
            return False
        build_email(notification).send()
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
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

    The person's row is locked for the duration, so two digest runs at once
    send one email, and the second finds nothing left to send.
    """
    before = before or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return 0
        items = list(
            Notification.objects.digest_pending()
            .filter(recipient=user, created_at__lte=before)
            .select_related(*RELATED)
            .order_by("created_at", "pk")
        )
        if not items:
            return 0
        build_digest(user, items).send()
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(
            emailed_at=timezone.now()
        )
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

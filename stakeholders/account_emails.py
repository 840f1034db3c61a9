"""allauth's emails through the outbox: stored and announced in the request, sent once by a task.

``queue`` keeps the rendered message and emits ``account.email`` in the same
transaction (``core.events``), so a mail server that is down when somebody
signs up or asks for a reset no longer loses the email or fails the page: the
relay delivers the event later and ``send`` retries. Sending follows the
receipts' steps, each committed on its own: claim the row, send, record
``sent_at`` and erase the text (it holds a confirmation key or reset link).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from core.events import emit

from .models import AccountEmail


def queue(*, message: EmailMessage, kind: str) -> list[AccountEmail]:
    """Store ``message`` (one row per recipient) and announce it through the outbox."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    rows = []
    with transaction.atomic():
        for to in message.to:
            row = AccountEmail.objects.create(
                kind=kind[:60],
                to=to,
                from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                subject=message.subject[:300],
                body=message.body,
                html=html,
            )
            emit("account.email", account_email_id=row.pk)
            rows.append(row)
    return rows


def _claim_timeout() -> timedelta:
    return timedelta(seconds=int(settings.PORTAL.get("EMAIL_CLAIM_SECONDS", 600)))


def _claim(pk: int, claim: str) -> AccountEmail | None:
    with transaction.atomic():
        row = AccountEmail.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.sent_at is not None:
            return None
        now = timezone.now()
        if (
            row.claim
            and row.claim != claim
            and row.claimed_at is not None
            and row.claimed_at > now - _claim_timeout()
        ):
            return None  # another sender has it; its retry or the claim's expiry settles it
        row.claim = claim
        row.claimed_at = now
        row.save(update_fields=["claim", "claimed_at"])
    return row


def send(pk: int, *, claim: str | None = None) -> bool:
    """Send one stored account email unless it went already. True if it was sent now."""
    claim = claim or uuid.uuid4().hex
    row = _claim(pk, claim)
    if row is None:
        return False
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=[row.to],
        headers={"Auto-Submitted": "auto-generated", "X-Portal-Account-Email": row.kind},
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    message.send()
    with transaction.atomic():
        row = AccountEmail.objects.select_for_update().get(pk=pk)
        row.sent_at = timezone.now()
        row.body = row.html = ""  # the key or link is not kept once delivered
        row.save(update_fields=["sent_at", "body", "html"])
    return True

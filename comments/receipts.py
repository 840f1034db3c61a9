"""The author's receipt: an email copy of exactly what was submitted, sent once.

``comments.services`` emits ``comment.submitted`` in the posting's transaction;
the outbox hands it to ``comments.listeners``, which queues ``receipt_send``.
Sending follows the notification emails' steps, each committed on its own: claim
the receipt, send it, record ``sent_at``; a sent receipt is never sent again, and
a claim holds other senders off while one is sending.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Comment, Receipt


def _claim_timeout() -> timedelta:
    return timedelta(seconds=int(settings.PORTAL.get("EMAIL_CLAIM_SECONDS", 600)))


def _claim(comment_id: int, claim: str) -> Comment | None:
    """Claim the receipt in a transaction of its own; None when there is nothing to send."""
    with transaction.atomic():
        receipt, _created = Receipt.objects.get_or_create(comment_id=comment_id)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.sent_at is not None:
            return None
        now = timezone.now()
        if (
            receipt.claim
            and receipt.claim != claim
            and receipt.claimed_at is not None
            and receipt.claimed_at > now - _claim_timeout()
        ):
            return None  # another sender has it; its retry or the claim's expiry settles it
        comment = (
            Comment.objects.select_related("author", "organisation", "provision", "version__draft")
            .prefetch_related("attachments")
            .get(pk=comment_id)
        )
        if not comment.author.email or comment.author.closed_at is not None:
            return None
        receipt.claim = claim
        receipt.claimed_at = now
        receipt.save(update_fields=["claim", "claimed_at"])
    return comment


def build_receipt(comment: Comment) -> EmailMessage:
    """The receipt in the author's language: what they submitted, when, and who may see it."""
    author = comment.author
    language = author.preferred_language if author.preferred_language in ("en", "km") else "en"
    with translation.override(language):
        context = {
            "comment": comment,
            "author": author,
            "posted_at": timezone.localtime(comment.created_at),
            "link": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("comments:permalink", args=[comment.pk]),
            "find_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("comments:receipt"),
            "attachments": list(comment.attachments.all()),
        }
        subject = " ".join(render_to_string("comments/email/receipt_subject.txt", context).split())
        body = render_to_string("comments/email/receipt.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[author.email],
        # The tracking number in a header too: mail rules and support can find the receipt.
        headers={"Auto-Submitted": "auto-generated", "X-Portal-Receipt": comment.tracking_number},
    )


def send_receipt(comment_id: int, *, claim: str | None = None) -> bool:
    """Email the receipt of one comment unless it went already. True if it was sent now."""
    claim = claim or uuid.uuid4().hex
    comment = _claim(comment_id, claim)
    if comment is None:
        return False
    build_receipt(comment).send()
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(comment_id=comment_id)
        receipt.sent_at = timezone.now()
        receipt.save(update_fields=["sent_at"])
    return True

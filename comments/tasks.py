"""Celery tasks of the comments app: they take ids and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from . import receipts


# ignore_result: nobody waits for a receipt's answer (what was sent is recorded by
# comments.receipts), so the web process does not subscribe to one for every post and
# the worker does not store one.
@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(DatabaseError, InterfaceError, ConnectionError, OSError),
    max_retries=6,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def receipt_send(self, comment_id: int) -> bool:
    """Email the author the receipt of their submission, once (``comments.receipts``).

    The task's id is the claim: its retries and redeliveries may send what it
    claimed, another sender may not.
    """
    return receipts.send_receipt(comment_id, claim=self.request.id)

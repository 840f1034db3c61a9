"""Celery tasks of the stakeholders app: they take ids and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from . import account_emails


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError, InterfaceError, ConnectionError, OSError),
    max_retries=6,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def account_email_send(self, account_email_id: int) -> bool:
    """Send one stored account email (confirmation, reset), once (``account_emails.send``).

    The task's id is the claim: its retries and redeliveries may send what it
    claimed, another sender may not.
    """
    return account_emails.send(account_email_id, claim=self.request.id)

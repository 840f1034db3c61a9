"""What the stakeholders app does when something happens; registered in ``ready``."""

from core.events import listen

from .tasks import account_email_send


@listen("account.email")
def queue_account_email(account_email_id: int, **_payload) -> None:
    """After the request commits, the account email is sent off the request path."""
    account_email_send.delay(account_email_id)

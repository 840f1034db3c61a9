"""What the comments app does when something happens elsewhere; registered in ``ready``."""

from core.events import listen
from drafts.models import DraftVersion

from .services import passage_checks_record
from .tasks import receipt_send


@listen("version.published", in_transaction=True)
def record_passage_checks(version_id: int, **_payload) -> None:
    """A published version says, for every earlier comment, where its passage now stands.

    Part of publishing itself: the version and its passage checks are saved together.
    """
    passage_checks_record(version=DraftVersion.objects.get(pk=version_id))


@listen("comment.submitted")
def queue_receipt(comment_id: int, **_payload) -> None:
    """After the posting commits, the author's receipt is sent off the request path."""
    receipt_send.delay(comment_id)

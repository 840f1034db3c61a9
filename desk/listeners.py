"""What the desk does when something happens elsewhere; registered in ``ready``.

Listeners run after commit (through the outbox) and only enqueue a task with ids.
"""

from core.events import listen

from .tasks import clusters_recompute_soon


@listen("comment.created")
def recluster_on_new_comment(version_id: int, **_payload) -> None:
    """A new comment may belong to a campaign: recompute its version's clusters."""
    clusters_recompute_soon(version_id)

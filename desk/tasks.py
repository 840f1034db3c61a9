"""Celery tasks of the drafting desk: they take ids and are safe to run twice."""

from celery import shared_task

from . import services


# ignore_result: it is sent for every new comment and nobody waits for its answer, so the
# web process does not subscribe to one per post and the worker stores none.
@shared_task(acks_late=True, ignore_result=True, max_retries=3, soft_time_limit=240, time_limit=300)
def clusters_recompute(version_id: int) -> int:
    """Recompute a version's clusters of near-duplicate comments; returns how many there are.

    A second delivery (or a burst of new comments, each enqueuing this task) finds
    the clusters up to date and does nothing: ``services.clusters_recompute`` keeps
    a fingerprint of what it clustered.
    """
    result = services.clusters_recompute(version_id=version_id)
    return -1 if result is None else result.clusters

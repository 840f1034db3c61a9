"""Keeping the index current on every write; registered in ``SearchConfig.ready``.

Search sits above the apps whose texts it indexes, and their services do not
announce every write as an event (creating, editing and withdrawing a comment,
editing a provision, renaming an organisation have none). Every write of these
models goes through ``save()`` (the history guard test forbids ``.update()``
and bulk writes without history), so the index follows their ``post_save``,
which runs inside the service's transaction: the comment and its index row are
saved together or not at all, and the row's copy of who may see the comment
(its visibility, state, author and organisations) never lags behind it. The
listeners only copy; the permission module decides.

Three writes are not single saves:
- a new working version's provisions are copied in bulk after the version is
  saved (``drafts.services.version_start_next``), which sends no signal: the
  version's save emits ``search.version_started`` through the outbox, and a
  task indexes the version once the copy is committed;
- publishing a version (``version.published``) indexes the whole version again
  in the publishing transaction, so the text everyone may now read is in the
  index exactly as published;
- renaming an organisation changes the words of every row of its comments (their
  rows carry its names, so a name finds what it said): the organisation's own row
  follows its save, and ``search.organisation_renamed`` has a task index its
  comments again once the rename is committed.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from comments.models import Attachment, Comment, Disposition
from core.events import emit, listen
from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation

from . import indexing, services
from .models import Entry


@receiver(post_save, sender=Comment, dispatch_uid="search.comment_saved")
def comment_saved(
    sender, instance: Comment, update_fields=None, raw=False, created=False, **kwargs
):
    if raw or (
        update_fields is not None and set(update_fields) <= {"thread_path", "tracking_number"}
    ):
        return  # a fixture load, or the second half of posting: no words changed
    services.index_objects(Entry.Source.COMMENT, [instance], new=created)
    if created:
        # What the new row says of the thread's decision: posting makes the comment's
        # pending decision before saving the comment, so the row already has it.
        instance._search_indexed_disposition = indexing.disposition_status(instance)
    else:  # a new comment has no response or attached file indexed yet
        services.entry_visibility_copy(comment=instance)


@receiver(post_save, sender=Disposition, dispatch_uid="search.disposition_saved")
def disposition_saved(sender, instance: Disposition, raw=False, created=False, **kwargs):
    if raw:
        return
    services.index_objects(Entry.Source.RESPONSE, [instance], new=created)
    indexed = None
    if created and Disposition.comment.is_cached(instance):
        indexed = vars(instance.comment).pop("_search_indexed_disposition", None)
    if indexed == instance.status:
        return  # the comment's row, written just now, says so already
    services.entry_disposition_set(comment_id=instance.comment_id, status=instance.status)


@receiver(post_save, sender=Attachment, dispatch_uid="search.attachment_saved")
def attachment_saved(sender, instance: Attachment, raw=False, created=False, **kwargs):
    if raw:
        return
    services.index_objects(Entry.Source.ATTACHMENT, [instance], new=created)


@receiver(post_save, sender=Provision, dispatch_uid="search.provision_saved")
def provision_saved(sender, instance: Provision, raw=False, **kwargs):
    if raw:
        return
    services.index_objects(Entry.Source.PROVISION, [instance])


@receiver(post_save, sender=Organisation, dispatch_uid="search.organisation_saved")
def organisation_saved(sender, instance: Organisation, raw=False, created=False, **kwargs):
    if raw:
        return
    renamed = not created and services.organisation_names_changed(instance)
    services.index_objects(Entry.Source.ORGANISATION, [instance], new=created)
    if not created:
        services.entry_organisation_kind_set(organisation_id=instance.pk, kind=instance.kind)
    if renamed:
        # Its comments' rows carry its names: a task indexes them again after commit
        # (an organisation may have thousands; a rename is an administrator's edit).
        emit("search.organisation_renamed", organisation_id=instance.pk)


@receiver(post_save, sender=DraftVersion, dispatch_uid="search.version_saved")
def version_saved(sender, instance: DraftVersion, created=False, raw=False, **kwargs):
    if created and not raw and instance.parent_id is not None:
        emit("search.version_started", version_id=instance.pk)


@listen("version.published", in_transaction=True)
def index_published_version(version_id: int, **_payload) -> None:
    services.index_version(version=DraftVersion.objects.get(pk=version_id))


@listen("search.version_started")
def enqueue_version_index(version_id: int, **_payload) -> None:
    """After commit (the outbox): the copied provisions exist now; a task indexes them."""
    from .tasks import search_index_version

    search_index_version.delay(version_id)


@listen("search.organisation_renamed")
def enqueue_organisation_comments_index(organisation_id: int, **_payload) -> None:
    from .tasks import search_index_organisation_comments

    search_index_organisation_comments.delay(organisation_id)


@listen("search.reindex_requested")
def enqueue_reindex(reindex_id: int, **_payload) -> None:
    from .tasks import search_reindex

    search_reindex.delay(reindex_id)

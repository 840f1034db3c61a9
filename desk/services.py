"""Writes of the drafting desk: tags, assignment, internal notes, clusters and answering them.

Every function asks the policy first (``stakeholders.policies``), writes inside one
transaction, and leaves history on the person-edited models (tags, assignments,
notes). Dispositions are never written here: answering a cluster calls
``comments.services.disposition_record`` once per member, so each member keeps its
own history and can be answered differently afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import services as comment_services
from comments.models import Comment
from core import revisions
from core.errors import DomainError
from core.events import emit
from core.text import clean_user_text
from drafts.models import Draft, DraftVersion
from stakeholders.policies import can, ensure_can

from . import clustering
from .models import (
    Assignment,
    Cluster,
    ClusteringState,
    ClusterMember,
    CommentSignature,
    CommentTag,
    InternalNote,
    Tag,
)

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 5000


def _desk_comments(draft: Draft, comment_ids: Iterable[int]) -> list[Comment]:
    """The first comments of threads on ``draft`` among ``comment_ids``; anything else is ignored."""
    comments = list(
        Comment.objects.filter(
            pk__in=list(comment_ids), version__draft=draft, parent__isnull=True
        ).order_by("pk")
    )
    if not comments:
        raise DomainError(_("Please select at least one comment."), field="comments")
    return comments


# --- tags ------------------------------------------------------------------------------


@transaction.atomic
def tag_create(*, draft: Draft, by, name: str) -> Tag:
    """Add a topic to the draft's controlled list of tags."""
    ensure_can(by, "desk.tags_manage", draft)
    name = clean_user_text(name).strip()
    if not name:
        raise DomainError(_("Please name the tag."), field="name")
    if len(name) > 80:
        raise DomainError(_("A tag's name is at most 80 characters."), field="name")
    if Tag.objects.filter(draft=draft, name__iexact=name).exists():
        raise DomainError(_("This draft already has that tag."), field="name")
    tag = Tag(draft=draft, name=name, created_by=by)
    tag._history_user = by
    tag._change_reason = "Tag added to the draft's list"
    tag.save()
    revisions.touch(revisions.desk_marks(draft.pk))
    return tag


def comments_tag(
    *, draft: Draft, by, comment_ids: Iterable[int], tag: Tag, remove: bool = False
) -> int:
    """Put ``tag`` on (or take it off) the selected comments; returns how many changed."""
    ensure_can(by, "desk.tag", draft)
    if tag.draft_id != draft.pk:
        raise DomainError(_("That tag belongs to another draft."), field="tag")
    changed = 0
    with transaction.atomic():
        comments = _desk_comments(draft, comment_ids)
        existing = {
            row.comment_id: row
            for row in CommentTag.objects.select_for_update().filter(tag=tag, comment__in=comments)
        }
        for comment in comments:
            row = existing.get(comment.pk)
            if remove and row is not None:
                row._history_user = by
                row._change_reason = "Tag removed"
                row.delete()
                changed += 1
            elif not remove and row is None:
                row = CommentTag(comment=comment, tag=tag, added_by=by)
                row._history_user = by
                row._change_reason = "Tagged"
                row.save()
                changed += 1
        if changed:
            revisions.touch(revisions.desk_marks(draft.pk))
    return changed


# --- assignment ------------------------------------------------------------------------


def comments_assign(*, draft: Draft, by, comment_ids: Iterable[int], assignee) -> int:
    """Give the selected comments to a member of the drafting team (or take them back: None).

    Returns how many comments changed hands. The assignee hears about it (a
    notification per comment, from ``desk.assigned``) unless they assigned themselves.
    """
    ensure_can(by, "desk.assign", draft)
    if assignee is not None and (
        not assignee.is_active or not can(assignee, "desk.assignee", draft)
    ):
        raise DomainError(
            _("Comments can be assigned only to drafters of this draft."), field="assignee"
        )
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        comments = _desk_comments(draft, comment_ids)
        current = {
            row.comment_id: row
            for row in Assignment.objects.select_for_update().filter(comment__in=comments)
        }
        for comment in comments:
            row = current.get(comment.pk)
            assignee_id = assignee.pk if assignee is not None else None
            if row is None and assignee is None:
                continue
            if row is not None and row.assignee_id == assignee_id:
                continue
            if row is None:
                row = Assignment(comment=comment)
            else:
                row.revision += 1
            row.assignee = assignee
            row.assigned_by = by
            row.assigned_at = now
            row._history_user = by
            row._change_reason = "Assigned" if assignee is not None else "Unassigned"
            row.save()
            changed += 1
            if assignee is not None and assignee.pk != by.pk:
                emit("desk.assigned", assignment_id=row.pk)
        if changed:
            revisions.touch(revisions.desk_marks(draft.pk))
    return changed


# --- internal notes --------------------------------------------------------------------


def note_add(*, comment: Comment, by, body: str) -> InternalNote:
    """The drafting team's internal note on a comment (never shown to the commenter)."""
    ensure_can(by, "desk.notes", comment.version.draft)
    body = clean_user_text(body).strip()
    if not body:
        raise DomainError(_("Please write the note."), field="body")
    if len(body) > NOTE_MAX_LENGTH:
        raise DomainError(_("The note is too long."), field="body", code="too_long")
    note = InternalNote(comment=comment, author=by, body=body)
    note._history_user = by
    note._change_reason = "Note written"
    with transaction.atomic():
        note.save()
    return note


# --- answering a cluster ---------------------------------------------------------------


def comments_answer(
    *,
    draft: Draft,
    by,
    comment_ids: Iterable[int],
    status: str,
    response: str,
    reason: str = "Answered together",
) -> int:
    """Record one disposition on each selected comment; returns how many were recorded.

    One ``disposition_record`` per comment, all in one transaction: either every
    comment is answered or none is. Each keeps its own disposition and history,
    so one of them can be answered differently later.
    """
    ensure_can(by, "desk.view", draft)
    comments = list(
        Comment.objects.filter(pk__in=list(comment_ids), version__draft=draft, parent__isnull=True)
        .select_related("version")
        .order_by("pk")
    )
    if not comments:
        raise DomainError(_("Please select at least one comment."), field="comments")
    for comment in comments:
        comment.version.draft = draft  # its drafting partners are read once, not per comment
    with transaction.atomic():
        for comment in comments:
            comment_services.disposition_record(
                comment=comment, by=by, status=status, response=response, reason=reason
            )
    return len(comments)


def cluster_answer(*, cluster: Cluster, by, status: str, response: str) -> int:
    """Answer a campaign once: the same disposition recorded on every member of the cluster."""
    member_ids = list(cluster.members.values_list("comment_id", flat=True))
    return comments_answer(
        draft=cluster.version.draft,
        by=by,
        comment_ids=member_ids,
        status=status,
        response=response,
        reason=f"Answered with cluster #{cluster.pk}",
    )


# --- clustering ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusteringResult:
    comments: int
    signatures_computed: int
    clusters: int
    seconds: float


def _clusterable(version_id: int):
    return Comment.objects.filter(
        version_id=version_id, parent__isnull=True, state=Comment.State.ACTIVE
    )


def _fingerprint(version_id: int) -> str:
    facts = _clusterable(version_id).aggregate(
        n=Count("pk"), newest=Max("pk"), revs=Sum("revision")
    )
    raw = f"{facts['n']}:{facts['newest']}:{facts['revs']}:{clustering.THRESHOLD}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _signatures(version_id: int) -> tuple[dict[int, clustering.Signature], int]:
    """Every clusterable comment's signature, computing (and storing) the missing or stale ones."""
    stored = {
        row[0]: row[1:]
        for row in CommentSignature.objects.filter(version_id=version_id).values_list(
            "comment_id", "comment_revision", "word_count", "hashvalues"
        )
    }
    signatures: dict[int, clustering.Signature] = {}
    fresh: list[CommentSignature] = []
    comments = _clusterable(version_id).values_list("pk", "revision", "body", "proposed_text")
    for pk, revision, body, proposed in comments.iterator(chunk_size=2000):
        known = stored.get(pk)
        if known is not None and known[0] == revision:
            signatures[pk] = clustering.Signature.from_bytes(known[2], known[1])
            continue
        sig = clustering.signature(f"{body}\n{proposed}" if proposed else body)
        signatures[pk] = sig
        fresh.append(
            CommentSignature(
                comment_id=pk,
                version_id=version_id,
                comment_revision=revision,
                word_count=sig.word_count,
                hashvalues=sig.to_bytes(),
            )
        )
    # Computed data, not a person's edit: no history, so a bulk write is right here.
    CommentSignature.objects.bulk_create(
        fresh,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=["comment_revision", "word_count", "hashvalues"],
    )
    return signatures, len(fresh)


def _save_clusters(version_id: int, groups: list[list[int]], signatures) -> int:
    """Store the groups as clusters, keeping a cluster's id when it is mostly the same comments."""
    previous = dict(
        ClusterMember.objects.filter(cluster__version_id=version_id).values_list(
            "comment_id", "cluster_id"
        )
    )
    old_clusters = {c.pk: c for c in Cluster.objects.filter(version_id=version_id)}
    kept: dict[int, Cluster] = {}
    members: list[ClusterMember] = []
    for group in groups:
        votes = Counter(previous[pk] for pk in group if pk in previous)
        reuse = next((cid for cid, _n in votes.most_common() if cid not in kept), None)
        cluster = old_clusters[reuse] if reuse is not None else Cluster(version_id=version_id)
        cluster.representative_id = clustering.representative(group, signatures)
        cluster.size = len(group)
        cluster.save()
        kept[cluster.pk] = cluster
        members.extend(ClusterMember(comment_id=pk, cluster=cluster) for pk in group)
    ClusterMember.objects.filter(cluster__version_id=version_id).delete()
    Cluster.objects.filter(version_id=version_id).exclude(pk__in=list(kept)).delete()
    ClusterMember.objects.bulk_create(members, batch_size=2000)
    draft_id = DraftVersion.objects.values_list("draft_id", flat=True).get(pk=version_id)
    revisions.touch(revisions.desk_marks(draft_id))
    return len(kept)


def clusters_recompute(*, version_id: int, force: bool = False) -> ClusteringResult | None:
    """Group a version's near-duplicate comments into clusters; None when nothing changed.

    Idempotent and safe to run concurrently: the version's clustering state is
    locked for the run, and a run that finds the same comments as the last one
    (same count, newest id and revisions) does nothing, so a burst of new comments
    enqueuing a run each costs one real run.
    """
    started = time.monotonic()
    with transaction.atomic():
        if not DraftVersion.objects.filter(pk=version_id).exists():
            return None
        state, _created = ClusteringState.objects.select_for_update().get_or_create(
            version_id=version_id
        )
        fingerprint = _fingerprint(version_id)
        if state.fingerprint == fingerprint and not force:
            return None
        signatures, computed = _signatures(version_id)
        groups = clustering.group(sorted(signatures.items()))
        count = _save_clusters(version_id, groups, signatures)
        state.fingerprint = fingerprint
        state.computed_at = timezone.now()
        state.seconds = time.monotonic() - started
        state.save()
    result = ClusteringResult(len(signatures), computed, count, state.seconds)
    logger.info("clustered version %s: %s", version_id, result)
    return result

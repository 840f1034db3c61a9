"""What changed because of comments: each changed provision of a version, with the comments behind it.

Part of the record, like ``comments.matrix``: read from the policy's
``comment_record_filter`` for a person, or from a ``reader`` filter for a
packet. A comment is behind a change when its disposition says so: an applied
amendment (``applied_in_version``) or a drafter's edit that addresses it
(``addressed_in_version``, with the provision history row in
``addressed_change``), in a version after ``since`` up to ``version``.

A module of its own (not ``selectors.py`` or ``matrix.py``, both near the size
at which the house style splits a module); the page, the API and the packet all
read through ``changes_from_comments``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.safestring import SafeString

from drafts.models import DraftVersion
from drafts.redline import ProvisionChange, Redline, version_redline
from stakeholders.policies import comment_record_filter

from .matrix import superseded_text
from .models import Comment, Disposition
from .proposals import added_articles
from .rendering import response_html


@dataclass
class CommentBehind:
    """One comment behind a change, as the record shows it."""

    comment: Comment
    disposition: Disposition
    # "applied" (its amendment was applied) or "addressed" (a drafter's edit answers it).
    how: str
    version_number: int  # the version the change was made in
    change_id: int | None = None  # the provision history row, for an addressed comment
    superseded: str = ""

    @property
    def organisation_name(self) -> str:
        return self.comment.speaker_name

    @property
    def organisation_kind(self) -> str:
        return self.comment.speaker_kind

    @property
    def status(self) -> str:
        return self.disposition.status

    @property
    def status_label(self) -> str:
        return str(Disposition.Status(self.disposition.status).label)

    @property
    def response_html(self) -> SafeString:
        return response_html(self.disposition)


@dataclass
class ChangeFromComments:
    change: ProvisionChange
    comments: list[CommentBehind] = field(default_factory=list)

    @property
    def stable_id(self) -> str:
        return self.change.stable_id


@dataclass
class Trace:
    old_version: DraftVersion | None
    version: DraftVersion
    changes: list[ChangeFromComments]
    redline: Redline | None = None

    def for_stable_id(self, stable_id: str) -> ChangeFromComments | None:
        return next((c for c in self.changes if c.stable_id == stable_id), None)


def _in_range(prefix: str, draft_id: int, after: int, upto: int) -> Q:
    return Q(
        **{
            f"{prefix}__draft_id": draft_id,
            f"{prefix}__number__gt": after,
            f"{prefix}__number__lte": upto,
        }
    )


def changes_from_comments(
    *,
    version: DraftVersion,
    user=None,
    reader: Q | None = None,
    since: DraftVersion | None = None,
    stable_id: str | None = None,
) -> Trace:
    """The provisions changed in ``version`` since ``since`` (its parent by default) because of comments.

    Each changed provision (text or heading changed, added or removed, compared
    with ``since``) that at least one comment in the record of ``user`` (or
    ``reader``, a filter from ``stakeholders.policies`` for a packet) is behind,
    in document order, with those comments. ``stable_id`` narrows it to one
    article. Three queries (the comments and the two versions' provisions) once
    the reader's memberships and the versions are loaded, whatever the number of
    changes or comments.
    """
    old = since if since is not None else version.parent
    if old is None:
        return Trace(old_version=None, version=version, changes=[])
    record = reader if reader is not None else comment_record_filter(user, version.draft)
    draft_id = version.draft_id
    behind = (
        Comment.objects.filter(version__draft_id=draft_id, parent__isnull=True)
        .filter(record)
        .filter(
            _in_range("disposition__applied_in_version", draft_id, old.number, version.number)
            | _in_range("disposition__addressed_in_version", draft_id, old.number, version.number)
        )
        .select_related(
            "organisation",
            "author",
            "provision",
            "disposition",
            "disposition__applied_in_version",
            "disposition__addressed_in_version",
        )
        .order_by("created_at", "pk")
    )
    if stable_id is not None:
        behind = behind.filter(provision__stable_id=stable_id)
    behind = list(behind)
    by_stable_id: dict[str, list[CommentBehind]] = {}
    # An applied proposal for a new article is behind the article it added, not its anchor.
    new_article_ids = [c.pk for c in behind if c.kind == Comment.Kind.NEW_ARTICLE]
    added = added_articles(new_article_ids) if new_article_ids else {}
    for comment in behind:
        disposition = comment.disposition
        target = added.get(comment.pk) or (comment.provision.stable_id if comment.provision else "")
        if not target:
            continue
        entries = by_stable_id.setdefault(target, [])
        applied = disposition.applied_in_version
        if applied is not None and old.number < applied.number <= version.number:
            entries.append(
                CommentBehind(
                    comment=comment,
                    disposition=disposition,
                    how="applied",
                    version_number=applied.number,
                    superseded=superseded_text(disposition),
                )
            )
        addressed = disposition.addressed_in_version
        if addressed is not None and old.number < addressed.number <= version.number:
            entries.append(
                CommentBehind(
                    comment=comment,
                    disposition=disposition,
                    how="addressed",
                    version_number=addressed.number,
                    change_id=disposition.addressed_change,
                )
            )
    if not by_stable_id:
        return Trace(old_version=old, version=version, changes=[])
    redline = version_redline(old_version=old, new_version=version)
    changes = [
        ChangeFromComments(change=change, comments=by_stable_id[change.stable_id])
        for change in redline.changes
        if change.stable_id in by_stable_id and not change.is_unchanged
    ]
    return Trace(old_version=old, version=version, changes=changes, redline=redline)


__all__ = ["ChangeFromComments", "CommentBehind", "Trace", "changes_from_comments"]

"""An article's history: every edit and disposition, with who, when and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comments.models import Disposition
from drafts.models import Provision, ProvisionChange
from drafts.redline import render_diff_html, word_diff
from stakeholders.policies import ensure_can

from .base import (
    _draft,
    desk_view,
)


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    kind: str  # "edit" or "disposition"
    action: str
    version_number: int | None
    changes: list
    comment_ids: list
    reason: str
    disposition: object = None
    comment: object = None


_FIELD_LABELS = {
    "number": gettext_lazy("Number"),
    "heading_en": gettext_lazy("Heading (English)"),
    "heading_km": gettext_lazy("Heading (Khmer)"),
    "text_en": gettext_lazy("Text (English)"),
    "text_km": gettext_lazy("Text (Khmer)"),
    "parent": gettext_lazy("Placed under"),
    "removed_at": gettext_lazy("Removed"),
}
_DIFFED = {"heading_en", "heading_km", "text_en", "text_km"}


@desk_view()
def history(request, slug, stable_id):
    """Every edit of an article across versions, and every disposition of its comments."""
    draft = _draft(slug)
    ensure_can(request.user, "draft.history", draft)
    records = list(
        Provision.history.filter(version__draft=draft, stable_id=stable_id)
        .select_related("history_user", "version")
        .order_by("history_date", "history_id")
    )
    if not records:
        raise Http404
    dispositions = list(
        Disposition.history.filter(
            comment__version__draft=draft, comment__provision__stable_id=stable_id
        )
        .select_related(
            "history_user",
            "comment",
            "comment__organisation",
            "comment__version",
            "applied_in_version",
        )
        .order_by("history_date", "history_id")
    )
    # A drafter's own edit that names the comments it answers: the link is on their
    # dispositions (``addressed_change`` is the provision history row's id).
    addressed_by_change: dict[int, set[int]] = {}
    for record in dispositions:
        if record.addressed_change:
            addressed_by_change.setdefault(record.addressed_change, set()).add(record.comment_id)
    entries: list[HistoryEntry] = []
    previous_by_id: dict[int, object] = {}
    labels_by_field = {k: str(v) for k, v in _FIELD_LABELS.items()}
    for record in records:
        before = previous_by_id.get(record.id)
        changes = []
        if before is not None:
            for name, label in labels_by_field.items():
                old_value = getattr(before, f"{name}_id" if name == "parent" else name)
                new_value = getattr(record, f"{name}_id" if name == "parent" else name)
                if old_value == new_value:
                    continue
                if name == "parent" and record.change_kind != ProvisionChange.MOVED:
                    continue  # copies get their parent without a history row; only moves count
                change = {"label": label, "name": name}
                if name in _DIFFED:
                    language = "km" if name.endswith("_km") else "en"
                    change["diff"] = render_diff_html(
                        word_diff(old_value or "", new_value or "", language)
                    )
                else:
                    change["old"] = old_value
                    change["new"] = new_value
                changes.append(change)
        previous_by_id[record.id] = record
        reason = record.history_change_reason or ""
        action = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[record.history_type]
        if before is None and record.change_kind == ProvisionChange.CARRIED_FORWARD:
            action = _("Carried into version %(number)s") % {"number": record.version.number}
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind="edit",
                action=action,
                version_number=record.version.number if record.version else None,
                changes=changes,
                comment_ids=([record.caused_by_comment_id] if record.caused_by_comment_id else [])
                + sorted(addressed_by_change.get(record.history_id, ())),
                reason=reason,
            )
        )
    for record in dispositions:
        if record.history_type == "+" and record.status == Disposition.Status.PENDING:
            continue  # created empty with every comment; nothing was decided yet
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind="disposition",
                action=Disposition.Status(record.status).label,
                version_number=record.comment.version.number,
                changes=[],
                comment_ids=[record.comment_id],
                reason=record.history_change_reason or "",
                disposition=record,
                comment=record.comment,
            )
        )
    entries.sort(key=lambda entry: entry.when)
    latest = records[-1]
    return render(
        request,
        "desk/history.html",
        {
            "draft": draft,
            "stable_id": stable_id,
            "latest": latest,
            "entries": entries,
        },
    )

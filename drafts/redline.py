"""Redlines: word-level differences between two versions of a draft.

Provisions are matched by ``stable_id``, never by number or position, so a
provision that was renumbered or moved to another chapter is recognised as the
same provision (and reported as moved or renumbered) instead of appearing as
one deletion and one unrelated insertion. Words come from ICU's segmenter
(``core.segment.words``) because Khmer is written without spaces between words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.segment import words

from .models import DraftVersion, Provision

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"


def _merge(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _absorb_blank_equals(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold a whitespace-only "equal" run sitting between two changes into the changes.

    "<del>a</del><ins>x</ins> <del>b</del><ins>y</ins>" reads better as
    "<del>a b</del><ins>x y</ins>"; the text either side stays exactly the same.
    """
    result: list[tuple[str, str]] = []
    index = 0
    while index < len(ops):
        op, text = ops[index]
        between_changes = (
            op == EQUAL
            and not text.strip()
            and 0 < index < len(ops) - 1
            and ops[index - 1][0] != EQUAL
            and ops[index + 1][0] != EQUAL
        )
        if between_changes:
            result.append((DELETE, text))
            result.append((INSERT, text))
        else:
            result.append((op, text))
        index += 1
    # Regroup: within a stretch with no equal run, all deletions first, then insertions.
    grouped: list[tuple[str, str]] = []
    pending_delete: list[str] = []
    pending_insert: list[str] = []

    def flush():
        if pending_delete:
            grouped.append((DELETE, "".join(pending_delete)))
        if pending_insert:
            grouped.append((INSERT, "".join(pending_insert)))
        pending_delete.clear()
        pending_insert.clear()

    for op, text in result:
        if op == DELETE:
            pending_delete.append(text)
        elif op == INSERT:
            pending_insert.append(text)
        else:
            flush()
            grouped.append((op, text))
    flush()
    return _merge(grouped)


def word_diff(old: str, new: str, language: str = "en") -> list[tuple[str, str]]:
    """The edit from ``old`` to ``new`` as (op, text) runs, op in equal/insert/delete.

    Joining the equal and delete runs gives ``old`` back; joining the equal and
    insert runs gives ``new``.
    """
    old = old or ""
    new = new or ""
    if old == new:
        return [(EQUAL, old)] if old else []
    a = words(old, language)
    b = words(new, language)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append((EQUAL, "".join(a[i1:i2])))
        else:
            if i2 > i1:
                ops.append((DELETE, "".join(a[i1:i2])))
            if j2 > j1:
                ops.append((INSERT, "".join(b[j1:j2])))
    return _absorb_blank_equals(_merge(ops))


def render_diff_html(ops) -> SafeString:
    """HTML for a word diff: insertions in <ins>, deletions in <del>, every text escaped."""
    parts = []
    for op, text in ops:
        if op == INSERT:
            parts.append(f"<ins>{escape(text)}</ins>")
        elif op == DELETE:
            parts.append(f"<del>{escape(text)}</del>")
        else:
            parts.append(str(escape(text)))
    return mark_safe("".join(parts))


@dataclass
class ProvisionChange:
    """What happened to one provision (one stable_id) between two versions."""

    stable_id: str
    kind: str
    old: Provision | None
    new: Provision | None
    added: bool = False
    removed: bool = False
    moved: bool = False
    renumbered: bool = False
    text_changed: bool = False
    heading_changed: bool = False
    _ops_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def provision(self) -> Provision:
        """The provision to label the change with: the new one, or the old when removed."""
        return self.new if self.new is not None else self.old

    @property
    def changed(self) -> bool:
        return self.text_changed or self.heading_changed

    @property
    def is_unchanged(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.moved
            or self.renumbered
            or self.text_changed
            or self.heading_changed
        )

    def _ops(self, name: str, language: str):
        key = (name, language)
        if key not in self._ops_cache:
            old = getattr(self.old, f"{name}_{language}", "") if self.old else ""
            new = getattr(self.new, f"{name}_{language}", "") if self.new else ""
            self._ops_cache[key] = word_diff(old, new, language)
        return self._ops_cache[key]

    def text_ops(self, language: str = "en") -> list[tuple[str, str]]:
        return self._ops("text", language)

    def heading_ops(self, language: str = "en") -> list[tuple[str, str]]:
        return self._ops("heading", language)

    def text_html(self, language: str = "en") -> SafeString:
        return render_diff_html(self.text_ops(language))

    def heading_html(self, language: str = "en") -> SafeString:
        return render_diff_html(self.heading_ops(language))

    # Templates cannot pass arguments; these are the two languages we keep.
    @property
    def text_html_en(self) -> SafeString:
        return self.text_html("en")

    @property
    def text_html_km(self) -> SafeString:
        return self.text_html("km")

    @property
    def heading_html_en(self) -> SafeString:
        return self.heading_html("en")

    @property
    def heading_html_km(self) -> SafeString:
        return self.heading_html("km")

    @property
    def flags(self) -> list[str]:
        """Machine-readable marks, most important first (for CSS classes and the API)."""
        names = ("added", "removed", "moved", "renumbered", "text_changed", "heading_changed")
        return [name for name in names if getattr(self, name)] or ["unchanged"]

    @property
    def status(self) -> str:
        """A short translated summary for display, e.g. "Moved · renumbered · text changed"."""
        if self.added:
            return _("Added")
        if self.removed:
            return _("Removed")
        parts = []
        if self.moved:
            parts.append(_("moved"))
        if self.renumbered:
            parts.append(
                _("renumbered (was %(old)s)") % {"old": self.old.number or "—"}
                if self.old is not None
                else _("renumbered")
            )
        if self.text_changed:
            parts.append(_("text changed"))
        if self.heading_changed:
            parts.append(_("heading changed"))
        if not parts:
            return _("Unchanged")
        text = " · ".join(parts)
        return text[:1].upper() + text[1:]


@dataclass
class Redline:
    """Every provision's change between two versions, in the new version's document order.

    A removed provision is placed right after the provision that preceded it
    in the old version, so it shows where it used to be.
    """

    old_version: DraftVersion
    new_version: DraftVersion
    changes: list[ProvisionChange]

    @property
    def summary(self) -> dict[str, int]:
        counts = {
            "added": 0,
            "removed": 0,
            "moved": 0,
            "renumbered": 0,
            "changed": 0,
            "unchanged": 0,
        }
        for change in self.changes:
            if change.added:
                counts["added"] += 1
            if change.removed:
                counts["removed"] += 1
            if change.moved:
                counts["moved"] += 1
            if change.renumbered:
                counts["renumbered"] += 1
            if change.changed:
                counts["changed"] += 1
            if change.is_unchanged:
                counts["unchanged"] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(not change.is_unchanged for change in self.changes)

    def for_stable_id(self, stable_id: str) -> ProvisionChange | None:
        return next((c for c in self.changes if c.stable_id == stable_id), None)


def _load(version: DraftVersion) -> list[Provision]:
    """All provisions of a version in document order, with parents and version wired in memory."""
    rows = list(Provision.objects.filter(version=version).order_by("position", "pk"))
    by_pk = {row.pk: row for row in rows}
    for row in rows:
        row.version = version  # the version is known: no query per row when a template asks
        if row.parent_id in by_pk:
            row.parent = by_pk[row.parent_id]
    return rows


def _parent_stable_id(provision: Provision) -> str | None:
    return provision.parent.stable_id if provision.parent_id else None


def _sibling_moves(old_live: list[Provision], new_live: list[Provision]) -> set[str]:
    """Stable ids whose order among their (unchanged-parent) siblings changed.

    Among the siblings that are under the same parent in both versions, the
    longest common order stays; the others are the ones that moved. Inserting
    or removing a sibling therefore does not mark its neighbours as moved.
    """
    old_parent = {p.stable_id: _parent_stable_id(p) for p in old_live}
    old_groups: dict[str | None, list[str]] = {}
    for p in old_live:
        old_groups.setdefault(_parent_stable_id(p), []).append(p.stable_id)
    new_groups: dict[str | None, list[str]] = {}
    for p in new_live:
        parent = _parent_stable_id(p)
        if p.stable_id in old_parent and old_parent[p.stable_id] == parent:
            new_groups.setdefault(parent, []).append(p.stable_id)
    moved: set[str] = set()
    for parent, new_order in new_groups.items():
        common = set(new_order)
        old_order = [sid for sid in old_groups.get(parent, []) if sid in common]
        matcher = SequenceMatcher(None, old_order, new_order, autojunk=False)
        kept = set()
        for block in matcher.get_matching_blocks():
            kept.update(new_order[block.b : block.b + block.size])
        moved.update(sid for sid in new_order if sid not in kept)
    return moved


def version_redline(*, old_version: DraftVersion, new_version: DraftVersion) -> Redline:
    """Compare two versions of a draft provision by provision (two queries)."""
    old_rows = _load(old_version)
    new_rows = _load(new_version)
    old_live = [p for p in old_rows if p.removed_at is None]
    new_live = [p for p in new_rows if p.removed_at is None]
    old_by_id = {p.stable_id: p for p in old_live}
    new_by_id = {p.stable_id: p for p in new_live}
    order_moves = _sibling_moves(old_live, new_live)

    changes_by_id: dict[str, ProvisionChange] = {}
    ordered: list[ProvisionChange] = []
    for new in new_live:
        old = old_by_id.get(new.stable_id)
        if old is None:
            change = ProvisionChange(
                stable_id=new.stable_id, kind=new.kind, old=None, new=new, added=True
            )
        else:
            change = ProvisionChange(
                stable_id=new.stable_id,
                kind=new.kind,
                old=old,
                new=new,
                moved=(
                    _parent_stable_id(old) != _parent_stable_id(new) or new.stable_id in order_moves
                ),
                renumbered=old.number != new.number,
                text_changed=(old.text_en != new.text_en or old.text_km != new.text_km),
                heading_changed=(
                    old.heading_en != new.heading_en or old.heading_km != new.heading_km
                ),
            )
        changes_by_id[new.stable_id] = change
        ordered.append(change)

    # Removed provisions go after the nearest old predecessor that is still there.
    after: dict[str | None, list[ProvisionChange]] = {}
    anchor: str | None = None
    for old in old_live:
        if old.stable_id in new_by_id:
            anchor = old.stable_id
            continue
        after.setdefault(anchor, []).append(
            ProvisionChange(stable_id=old.stable_id, kind=old.kind, old=old, new=None, removed=True)
        )
    changes: list[ProvisionChange] = list(after.get(None, []))
    for change in ordered:
        changes.append(change)
        changes.extend(after.get(change.stable_id, []))
    return Redline(old_version=old_version, new_version=new_version, changes=changes)

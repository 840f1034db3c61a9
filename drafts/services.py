"""Writes on drafts, versions and provisions. Every rule about them lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from core import revisions
from core.errors import ConflictError, DomainError
from core.events import emit
from core.numerals import local_digits
from core.text import clean_user_text
from stakeholders.policies import ensure_can

from .models import Draft, DraftVersion, Provision, ProvisionChange
from .selectors import translation_gaps


def _version_changed(*version_ids: int) -> None:
    """Cached views of these versions' text (the reading page's article blocks) are not served again.

    Every write below that changes a provision, or a version's state, calls it.
    """
    revisions.touch(*(revisions.version_text(pk) for pk in version_ids))


@dataclass
class ProvisionSpec:
    """A provision to create, with its children, as parsed from an import or a form."""

    stable_id: str
    kind: str
    number: str = ""
    heading_en: str = ""
    heading_km: str = ""
    text_en: str = ""
    text_km: str = ""
    children: list[ProvisionSpec] | None = None


def draft_create(
    *,
    slug: str,
    title_en: str,
    short_title_en: str,
    lead_ministry,
    by,
    title_km: str = "",
    short_title_km: str = "",
    summary_en: str = "",
    summary_km: str = "",
) -> Draft:
    """Create a draft law with an empty working version 1."""
    with transaction.atomic():
        draft = Draft(
            slug=slug,
            title_en=title_en,
            title_km=title_km,
            short_title_en=short_title_en,
            short_title_km=short_title_km,
            summary_en=summary_en,
            summary_km=summary_km,
            lead_ministry=lead_ministry,
        )
        draft._change_reason = "Draft created"
        draft.save()
        DraftVersion.objects.create(draft=draft, number=1, author=by)
    return draft


def provisions_import(*, version: DraftVersion, specs: list[ProvisionSpec], by) -> int:
    """Load a whole provision tree into an empty working version; returns how many."""
    if version.is_frozen:
        raise DomainError(_("This version has been published; its text cannot change."))
    if version.provisions.exists():
        raise DomainError(_("This version already has provisions."))
    position = 0

    def walk(items, parent):
        nonlocal position
        for spec in items:
            position += 1
            provision = Provision(
                version=version,
                parent=parent,
                position=position * POSITION_STEP,
                stable_id=spec.stable_id,
                kind=spec.kind,
                number=spec.number,
                heading_en=spec.heading_en,
                heading_km=spec.heading_km,
                text_en=clean_user_text(spec.text_en),
                text_km=clean_user_text(spec.text_km),
            )
            provision._change_reason = "Imported"
            provision._history_user = by
            provision.mark_change(ProvisionChange.IMPORTED)
            provision.save()
            walk(spec.children or [], provision)

    with transaction.atomic():
        walk(specs, None)
        _version_changed(version.pk)
    return position


def _copy_provisions(*, source: DraftVersion, target: DraftVersion, by) -> None:
    """Copy every live provision of ``source`` into ``target``, keeping stable ids.

    Parents are mapped through stable ids. Uses the history-writing bulk path so
    that a 300-article draft is copied in a handful of queries.
    """
    rows = list(Provision.objects.for_reading(source).select_related("parent"))
    copies = [
        Provision(
            version=target,
            stable_id=row.stable_id,
            kind=row.kind,
            position=index * POSITION_STEP,
            number=row.number,
            heading_en=row.heading_en,
            heading_km=row.heading_km,
            text_en=row.text_en,
            text_km=row.text_km,
        )
        for index, row in enumerate(rows, start=1)
    ]
    bulk_create_with_history(
        copies,
        Provision,
        default_user=by,
        default_change_reason=f"Copied from version {source.number}",
        custom_historical_attrs={"change_kind": ProvisionChange.CARRIED_FORWARD},
    )
    by_stable_id = {
        p.stable_id: p for p in Provision.objects.filter(version=target).select_related("version")
    }
    parent_of = {row.stable_id: row.parent.stable_id for row in rows if row.parent_id}
    for stable_id, parent_stable_id in parent_of.items():
        child = by_stable_id[stable_id]
        child.parent = by_stable_id[parent_stable_id]
        child.skip_history_when_saving = True  # the copy's history row was written above
        child.save(update_fields=["parent"])
        del child.skip_history_when_saving
    _version_changed(target.pk)


def _next_working_version(*, draft: Draft, by, reason: str) -> DraftVersion:
    """Create the next (empty) working version after the latest published one; in a transaction."""
    ensure_can(by, "draft.start_version", draft)
    versions = list(DraftVersion.objects.select_for_update().filter(draft=draft).order_by("number"))
    if any(v.status == DraftVersion.Status.WORKING for v in versions):
        raise DomainError(_("A working version already exists; finish or publish it first."))
    published = [v for v in versions if v.published_at]
    if not published:
        raise DomainError(_("Publish the first version before starting another."))
    source = published[-1]
    version = DraftVersion(draft=draft, number=versions[-1].number + 1, parent=source, author=by)
    version._change_reason = reason % {"number": source.number}
    version._history_user = by
    version.save()
    return version


def version_start_next(*, draft: Draft, by) -> DraftVersion:
    """Start the next working version from the latest published one."""
    with transaction.atomic():
        version = _next_working_version(
            draft=draft, by=by, reason="Started from version %(number)s"
        )
        _copy_provisions(source=version.parent, target=version, by=by)
    return version


def version_start_imported(*, draft: Draft, specs: list[ProvisionSpec], by) -> DraftVersion:
    """Start the next working version with an imported text instead of a copy.

    The specs carry the stable ids of the provisions they continue (the importer
    matched them), so comments and redlines follow them as after a copy.
    """
    with transaction.atomic():
        version = _next_working_version(
            draft=draft, by=by, reason="Imported after version %(number)s"
        )
        provisions_import(version=version, specs=specs, by=by)
    return version


def version_publish(
    *,
    version: DraftVersion,
    by,
    closes_at: datetime,
    opens_at: datetime | None = None,
    change_note_en: str | None = None,
    change_note_km: str | None = None,
    missing_translations: int | None = None,
) -> DraftVersion:
    """Freeze a working version and open its consultation until ``closes_at``.

    The version it was started from becomes superseded. When ``opens_at`` is in
    the future the version is published but takes comments only from then on.

    Both languages are first-class: a version whose provisions lack their text or
    heading in one language is published only when the publisher confirms how many
    (``missing_translations``, the count they were shown); a different count means
    the text changed since, and they must look again.
    """
    ensure_can(by, "version.publish", version)
    gaps = translation_gaps(Provision.objects.for_reading(version))
    if gaps.total and missing_translations != gaps.total:
        raise DomainError(
            ngettext(
                "%(count)s provision lacks its text or heading in English or Khmer. "
                "Confirm that you publish the version without it, or add the translation.",
                "%(count)s provisions lack their text or heading in English or Khmer. "
                "Confirm that you publish the version without them, or add the translations.",
                gaps.total,
            )
            % {"count": local_digits(gaps.total)},
            field="confirm_missing_translations",
            code="missing_translations",
        )
    now = timezone.now()
    opens_at = opens_at or now
    if closes_at <= opens_at:
        raise DomainError(_("The consultation must close after it opens."), field="closes_at")
    if closes_at <= now:
        raise DomainError(_("The closing date must be in the future."), field="closes_at")
    with transaction.atomic():
        version = DraftVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != DraftVersion.Status.WORKING:
            raise DomainError(_("Only a working version can be published."))
        if not Provision.objects.for_reading(version).exists():
            raise DomainError(_("An empty version cannot be published."))
        # ``of=("self",)``: the versions' default ordering joins their draft, and a plain
        # FOR UPDATE would lock the draft's row too, after the version's; an open-data
        # build locks the draft first, and the two orders deadlock.
        for earlier in (
            DraftVersion.objects.select_for_update(of=("self",))
            .filter(draft=version.draft, number__lt=version.number)
            .exclude(status__in=[DraftVersion.Status.SUPERSEDED, DraftVersion.Status.SUBMITTED])
        ):
            earlier.status = DraftVersion.Status.SUPERSEDED
            if earlier.closes_at and earlier.closes_at > now:
                earlier.closes_at = now
            earlier._change_reason = f"Superseded by version {version.number}"
            earlier.save()
            _version_changed(earlier.pk)
        version.status = DraftVersion.Status.IN_CONSULTATION
        version.opens_at = opens_at
        version.closes_at = closes_at
        version.published_at = now
        version.published_by = by
        if change_note_en is not None:
            version.change_note_en = clean_user_text(change_note_en)
        if change_note_km is not None:
            version.change_note_km = clean_user_text(change_note_km)
        version._change_reason = "Published for consultation"
        version._history_user = by
        version.save()
        _version_changed(version.pk)
        emit("version.published", version_id=version.pk)
    return version


def version_close(*, version: DraftVersion, by=None, reason: str = "Consultation closed") -> bool:
    """Close a consultation whose time is up. Returns False if it was not open (idempotent)."""
    with transaction.atomic():
        version = DraftVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != DraftVersion.Status.IN_CONSULTATION:
            return False
        version.status = DraftVersion.Status.CLOSED
        version._change_reason = reason
        if by is not None:
            version._history_user = by
        version.save()
        _version_changed(version.pk)
        emit("version.closed", version_id=version.pk)
    return True


def version_submit(*, version: DraftVersion, by) -> DraftVersion:
    """Mark a version as submitted to the National Assembly.

    It is what recording a packet's transmission does (``packets.services.
    packet_transmit``, which keeps which packet and when): the consultation is
    over, the version is the one before the Assembly, and no later status
    change (a next version being published) supersedes it.
    """
    ensure_can(by, "packet.transmit", version)
    with transaction.atomic():
        version = DraftVersion.objects.select_for_update().get(pk=version.pk)
        if version.status == DraftVersion.Status.SUBMITTED:
            raise DomainError(_("This version has already been submitted."))
        if version.status != DraftVersion.Status.CLOSED:
            raise DomainError(
                _("Only a version whose consultation has closed can be submitted."),
                code="consultation_not_closed",
            )
        version.status = DraftVersion.Status.SUBMITTED
        version._change_reason = "Submitted to the National Assembly"
        version._history_user = by
        version.save()
        _version_changed(version.pk)
    return version


def provision_edit(
    *,
    provision: Provision,
    by,
    revision: int,
    heading_en=None,
    heading_km=None,
    text_en=None,
    text_km=None,
    number=None,
    reason: str = "",
    caused_by_comment_id: int | None = None,
) -> Provision:
    """Change a provision of a working version.

    ``caused_by_comment_id`` names the comment whose amendment this edit applies;
    the history row records it.

    ``revision`` is the revision the editor started from: if somebody saved in
    between, the save is refused with a ConflictError carrying the current
    text, so the second editor sees both and nothing is lost.
    """
    ensure_can(by, "version.edit", provision.version)
    with transaction.atomic():
        current = (
            Provision.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=provision.pk)
        )
        if current.removed_at is not None:
            raise DomainError(_("This provision has been removed from the working version."))
        if current.revision != revision:
            raise ConflictError(
                _(
                    "Somebody else saved this provision while you were editing it. "
                    "Compare the texts below and save again."
                ),
                current=current,
            )
        changes = {
            "heading_en": heading_en,
            "heading_km": heading_km,
            "text_en": text_en,
            "text_km": text_km,
            "number": number,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(current, name, clean_user_text(value))
        current.revision += 1
        current._change_reason = reason or "Edited"
        current._history_user = by
        current.mark_change(
            ProvisionChange.AMENDMENT_APPLIED if caused_by_comment_id else ProvisionChange.EDITED,
            caused_by_comment_id=caused_by_comment_id,
        )
        current.save()
        _version_changed(current.version_id)
    return current


def provision_remove(*, provision: Provision, by, reason: str = "") -> Provision:
    """Remove a provision (and its descendants) from a working version, keeping the rows."""
    ensure_can(by, "version.edit", provision.version)
    now = timezone.now()
    with transaction.atomic():
        current = (
            Provision.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=provision.pk)
        )
        if current.removed_at is not None:
            return current
        stack = [current]
        while stack:
            node = stack.pop()
            node.removed_at = now
            node.removed_by = by
            node.revision += 1
            node._change_reason = reason or "Removed"
            node.mark_change(ProvisionChange.REMOVED)
            node._history_user = by
            node.save()
            stack.extend(
                Provision.objects.select_related("version").filter(
                    parent=node, removed_at__isnull=True
                )
            )
        _version_changed(current.version_id)
    return current


POSITION_STEP = 1000


def _document_order(version: DraftVersion) -> list[Provision]:
    return list(
        Provision.objects.filter(version=version, removed_at__isnull=True)
        .select_related("version")
        .order_by("position")
    )


def _subtree(provision: Provision, ordered: list[Provision]) -> list[Provision]:
    """The provision and its descendants, in document order."""
    ids = {provision.pk}
    nodes = []
    for item in ordered:
        if item.pk in ids or item.parent_id in ids:
            ids.add(item.pk)
            nodes.append(item)
    return nodes


def _resequence(version: DraftVersion, by) -> None:
    """Spread positions out again when an insertion finds no gap (rare)."""
    from simple_history.utils import bulk_update_with_history

    ordered = _document_order(version)
    for index, item in enumerate(ordered, start=1):
        item.position = index * POSITION_STEP
    bulk_update_with_history(
        ordered,
        Provision,
        ["position"],
        default_user=by,
        default_change_reason="Resequenced",
        custom_historical_attrs={"change_kind": ProvisionChange.RESEQUENCED},
    )
    _version_changed(version.pk)


def _place(
    *, version, nodes: list[Provision], parent: Provision | None, after: Provision | None, by
):
    """Give ``nodes`` (a subtree, in order) positions right after ``after``'s subtree,
    or as the first children of ``parent`` when ``after`` is None."""
    for attempt in range(2):
        moving = {n.pk for n in nodes}
        ordered = [p for p in _document_order(version) if p.pk not in moving]
        if after is not None:
            anchor_nodes = _subtree(after, ordered)
            low = anchor_nodes[-1].position
        elif parent is not None:
            low = next(p.position for p in ordered if p.pk == parent.pk)
        else:
            low = 0
        following = [p.position for p in ordered if p.position > low]
        high = following[0] if following else low + POSITION_STEP * (len(nodes) + 1)
        gap = (high - low) // (len(nodes) + 1)
        if gap >= 1:
            for index, node in enumerate(nodes, start=1):
                node.position = low + gap * index
            return
        if attempt == 0:
            _resequence(version, by)
    raise DomainError(_("Could not place the provision; please try again."))


def provision_add(
    *,
    version: DraftVersion,
    by,
    kind: str,
    parent: Provision | None = None,
    after: Provision | None = None,
    number: str = "",
    heading_en: str = "",
    heading_km: str = "",
    text_en: str = "",
    text_km: str = "",
    stable_id: str | None = None,
    caused_by_comment_id: int | None = None,
) -> Provision:
    """Insert a new provision into a working version, after a sibling or first under a parent.

    Its stable id is made once from its kind, number and parent, and never changes.
    ``caused_by_comment_id`` names the proposal for a new article this applies;
    the history row records it.
    """
    ensure_can(by, "version.edit", version)
    if kind not in Provision.Kind.values:
        raise DomainError(_("Unknown kind of provision."), field="kind")
    with transaction.atomic():
        DraftVersion.objects.select_for_update().get(pk=version.pk)
        if stable_id is None:
            prefix = {"part": "part", "chapter": "chp", "section": "sec", "article": "art"}[kind]
            base = f"{prefix}_{number or 'new'}"
            if parent is not None and kind in ("article", "section"):
                base = f"{parent.stable_id}__{base}"
            taken = set(
                Provision.objects.filter(
                    version__draft=version.draft, stable_id__startswith=base
                ).values_list("stable_id", flat=True)
            )
            stable_id, suffix = base, 0
            while stable_id in taken:
                suffix += 1
                stable_id = (
                    f"{base}_{chr(ord('a') + suffix - 1)}" if suffix <= 26 else f"{base}_{suffix}"
                )
        elif Provision.objects.filter(version=version, stable_id=stable_id).exists():
            raise DomainError(
                _("That identifier is already used in this version."), field="stable_id"
            )
        provision = Provision(
            version=version,
            parent=parent,
            kind=kind,
            stable_id=stable_id,
            number=number,
            heading_en=clean_user_text(heading_en),
            heading_km=clean_user_text(heading_km),
            text_en=clean_user_text(text_en),
            text_km=clean_user_text(text_km),
            position=0,
        )
        _place(version=version, nodes=[provision], parent=parent, after=after, by=by)
        provision._change_reason = (
            f"Applied new article #{caused_by_comment_id}" if caused_by_comment_id else "Added"
        )
        provision.mark_change(ProvisionChange.ADDED, caused_by_comment_id=caused_by_comment_id)
        provision._history_user = by
        provision.save()
        _version_changed(version.pk)
    return provision


def provision_move(
    *, provision: Provision, by, parent: Provision | None, after: Provision | None = None
) -> Provision:
    """Move a provision (with its children) under ``parent``, after ``after``.

    Its stable id stays: that is what lets comments and redlines follow it.
    """
    ensure_can(by, "version.edit", provision.version)
    if after is not None and after.parent_id != (parent.pk if parent else None):
        raise DomainError(_("The provision to follow must be under the same parent."))
    with transaction.atomic():
        version = DraftVersion.objects.select_for_update().get(pk=provision.version_id)
        ordered = _document_order(version)
        current = next(p for p in ordered if p.pk == provision.pk)
        nodes = _subtree(current, ordered)
        if parent is not None and parent.pk in {n.pk for n in nodes}:
            raise DomainError(_("A provision cannot be moved inside itself."))
        _place(version=version, nodes=nodes, parent=parent, after=after, by=by)
        current.parent = parent
        for node in nodes:
            node.revision += 1
            node._change_reason = "Moved"
            node.mark_change(ProvisionChange.MOVED)
            node._history_user = by
            node.save()
        _version_changed(version.pk)
    return current


def version_renumber_articles(*, version: DraftVersion, by) -> int:
    """Number the live articles 1..n in document order (and chapters likewise).

    Returns how many numbers changed; each change is in the history.
    """
    ensure_can(by, "version.edit", version)
    changed = 0
    with transaction.atomic():
        counters: dict[str, int] = {}
        for provision in _document_order(version):
            counters[provision.kind] = counters.get(provision.kind, 0) + 1
            if provision.kind == Provision.Kind.SECTION:
                continue  # sections are numbered within their chapter by the drafter
            new_number = str(counters[provision.kind])
            if provision.number != new_number:
                provision.number = new_number
                provision.revision += 1
                provision._change_reason = "Renumbered"
                provision.mark_change(ProvisionChange.RENUMBERED)
                provision._history_user = by
                provision.save()
                changed += 1
        _version_changed(version.pk)
    return changed

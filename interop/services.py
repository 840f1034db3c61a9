"""Importing a draft from a document, in two steps: read and show, then apply when confirmed.

``import_upload`` reads the file (Word, or Akoma Ntoso: one XML document or a .zip
of one per language), gives each provision the stable id of the provision it
continues, and keeps the result as a pending ``ImportUpload``. Nothing of the draft
changes. ``import_apply`` turns exactly that tree into a new working version (or a
new draft) through the drafting services, in one transaction: it lands whole or not
at all.
"""

from __future__ import annotations

import io
import zipfile

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.errors import DomainError, PolicyDenied
from drafts import services as draft_services
from drafts.models import Draft, DraftVersion, Provision
from stakeholders.policies import ensure_can

from . import akn, word
from .matching import assign_stable_ids, to_specs
from .models import ImportUpload
from .parsed import KINDS, ParsedDocument, label
from .selectors import acting_organisation

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PROVISIONS = 5000
# Field sizes of drafts.Provision and drafts.Draft, checked before anything is written.
LIMITS = {"number": 20, "heading_en": 300, "heading_km": 300, "stable_id": 120}


def check_size(size: int) -> None:
    """Refuse an empty or oversized upload (callers check before reading the file)."""
    if not size:
        raise DomainError(_("The file is empty."), field="file")
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is too large: at most %(size)s MB.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )


def _read(filename: str, data: bytes) -> ParsedDocument:
    """Parse by what the file is, not only by its name."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                return _read_akn_bundle(archive)
        return word.parse(data)
    if filename.lower().endswith(".docx"):
        return word.parse(data)  # not a zip: refused there as a damaged Word file
    if filename.lower().endswith(".xml") or data.lstrip()[:1] == b"<":
        return akn.parse([(filename, data)])
    raise DomainError(
        _("Upload a Word document (.docx) or an Akoma Ntoso document (.xml, or a .zip of them).")
    )


def _read_akn_bundle(archive: zipfile.ZipFile) -> ParsedDocument:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
    if not members or len(members) > 2:
        raise DomainError(
            _("A .zip must hold one Akoma Ntoso document per language: one or two .xml files.")
        )
    if sum(m.file_size for m in members) > MAX_UPLOAD_BYTES * 4:
        raise DomainError(_("The file is too large."))
    return akn.parse([(m.filename, archive.read(m)) for m in members])


def _check(parsed: ParsedDocument) -> None:
    seen: set[str] = set()
    count = 0
    for item, _depth in parsed.walk():
        count += 1
        if item.kind not in KINDS:
            raise DomainError(_("Unknown kind of provision."))
        where = label(item.kind, item.number)
        for name, limit in LIMITS.items():
            if len(getattr(item, name)) > limit:
                raise DomainError(
                    _(
                        "In %(where)s, the %(field)s is longer than %(limit)s characters; "
                        "is a heading missing its line break?"
                    )
                    % {"where": where, "field": name.split("_")[0], "limit": limit}
                )
        if item.stable_id in seen:
            raise DomainError(
                _("Two provisions have the identifier “%(id)s”.") % {"id": item.stable_id}
            )
        seen.add(item.stable_id)
    if count > MAX_PROVISIONS:
        raise DomainError(_("The document has more provisions than the portal takes at once."))


def import_upload(*, by, filename: str, data: bytes, draft: Draft | None = None) -> ImportUpload:
    """Read an uploaded document and keep it, parsed, for the drafter to confirm.

    With ``draft``, it will become the draft's next working version (the drafter must
    be allowed to start one); without, a new draft led by the ministry the drafter acts for.
    """
    if draft is not None:
        ensure_can(by, "draft.start_version", draft)
        organisation = draft.lead_ministry
    else:
        organisation = acting_organisation(by)
        ensure_can(by, "draft.create", organisation)
    check_size(len(data))
    try:
        parsed = _read(filename, data)
    except DomainError as error:
        error.field = error.field or "file"
        raise
    base: list[Provision] = []
    taken: set[str] = set()
    latest = None
    if draft is not None:
        latest = DraftVersion.objects.filter(draft=draft).order_by("-number").first()
        if latest is not None:
            base = list(Provision.objects.for_reading(latest))
        taken = set(
            Provision.objects.filter(version__draft=draft).values_list("stable_id", flat=True)
        )
    assign_stable_ids(parsed, base=base, taken=taken)
    _check(parsed)
    upload = ImportUpload(
        draft=draft,
        lead_ministry=organisation,
        uploaded_by=by,
        source_format=parsed.source_format,
        filename=filename[:255],
        parsed={**parsed.to_dict(), "base_version": latest.number if latest else None},
    )
    upload._change_reason = "Uploaded"
    upload._history_user = by
    upload.save()
    return upload


def _unique_slug(text: str) -> str:
    base = slugify(text)[:70] or "draft"
    slug, suffix = base, 1
    while Draft.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def import_apply(
    *,
    upload: ImportUpload,
    by,
    title_en: str = "",
    title_km: str = "",
    slug: str = "",
) -> DraftVersion:
    """Apply a pending upload: the next working version of its draft, or a new draft.

    All or nothing: one transaction. Refused when the upload was applied or discarded
    already, when it is not the confirming drafter's, and when the draft gained a
    version since the upload (its stable ids were matched against the older text).
    """
    with transaction.atomic():
        upload = (
            ImportUpload.objects.select_for_update(of=("self",))
            .select_related("draft", "lead_ministry")
            .get(pk=upload.pk)
        )
        if upload.uploaded_by_id != by.pk:
            raise PolicyDenied(_("Only the drafter who uploaded a document may import it."))
        if upload.status != ImportUpload.Status.PENDING:
            raise DomainError(_("This upload has already been imported or discarded."))
        parsed = ParsedDocument.from_dict(upload.parsed)
        specs = to_specs(parsed.provisions)
        draft = upload.draft
        if draft is not None:
            latest = DraftVersion.objects.filter(draft=draft).order_by("-number").first()
            if latest is not None and latest.number != upload.parsed.get("base_version"):
                raise DomainError(
                    _("The draft has a new version since this upload; upload the document again.")
                )
            version = draft_services.version_start_imported(draft=draft, specs=specs, by=by)
        else:
            ensure_can(by, "draft.create", upload.lead_ministry)
            title_en = (title_en or parsed.title_en or parsed.title_km).strip()
            title_km = (title_km or parsed.title_km).strip()
            if not title_en:
                raise DomainError(_("Give the draft law a title."), field="title_en")
            if len(title_en) > 300 or len(title_km) > 300:
                raise DomainError(_("The title is longer than 300 characters."), field="title_en")
            slug = slugify(slug)[:80] if slug else _unique_slug(title_en)
            if Draft.objects.filter(slug=slug).exists():
                raise DomainError(_("Another draft already has this address."), field="slug")
            draft = draft_services.draft_create(
                slug=slug,
                title_en=title_en,
                title_km=title_km,
                short_title_en=title_en[:120],
                short_title_km=title_km[:120],
                lead_ministry=upload.lead_ministry,
                by=by,
            )
            version = DraftVersion.objects.get(draft=draft, number=1)
            draft_services.provisions_import(version=version, specs=specs, by=by)
        upload.status = ImportUpload.Status.APPLIED
        upload.version = version
        upload.draft = draft
        upload._change_reason = "Imported"
        upload._history_user = by
        upload.save()
    return version


def import_discard(*, upload: ImportUpload, by) -> ImportUpload:
    """Set a pending upload aside without importing it (kept, as discarded)."""
    with transaction.atomic():
        upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.uploaded_by_id != by.pk:
            raise PolicyDenied(_("Only the drafter who uploaded a document may discard it."))
        if upload.status == ImportUpload.Status.PENDING:
            upload.status = ImportUpload.Status.DISCARDED
            upload._change_reason = "Discarded"
            upload._history_user = by
            upload.save()
    return upload

"""Writes of the public pages: the portal's pages, a round's summary, the open-data release."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from core.text import clean_user_text
from drafts.models import Draft, DraftVersion
from stakeholders.policies import ensure_can

from . import opendata
from .models import OpenDataRelease, Page, RoundSummary

logger = logging.getLogger(__name__)

PAGE_FIELDS = ("title_en", "title_km", "summary_en", "summary_km", "body_en", "body_km")


@transaction.atomic
def page_edit(*, page: Page, by, revision: int, **fields: str) -> Page:
    """Change a portal page's wording in either language; its history keeps every earlier one.

    ``revision`` is the revision the editor started from: a page somebody else
    saved meanwhile is refused as a conflict rather than overwritten.
    """
    ensure_can(by, "page.edit", page)
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(field)s") % {"field": sorted(unknown)[0]})
    current = Page.objects.select_for_update().get(pk=page.pk)
    if current.revision != revision:
        raise ConflictError(
            _("Somebody else changed this page while you were editing it; reload it first."),
            current=current,
        )
    cleaned = {name: clean_user_text(value) for name, value in fields.items()}
    for required in ("title_en", "body_en"):
        if required in cleaned and not cleaned[required]:
            raise DomainError(_("The English title and text are required."), field=required)
    for name, value in cleaned.items():
        setattr(current, name, value)
    current.revision += 1
    current.updated_by = by
    current._change_reason = "Page edited"
    current._history_user = by
    current.save()
    return current


@transaction.atomic
def round_summary_edit(
    *, version: DraftVersion, by, text_en: str, text_km: str, revision: int
) -> RoundSummary:
    """Write the ministry's summary of the round on ``version`` (both languages, with history).

    ``revision`` is 0 for a summary not yet written.
    """
    ensure_can(by, "report.edit_summary", version)
    summary = RoundSummary.objects.select_for_update().filter(version=version).first()
    created = summary is None
    current = 0 if created else summary.revision
    if current != revision:
        raise ConflictError(
            _("Somebody else changed this summary while you were editing it; reload it first."),
            current=summary,
        )
    if created:
        summary = RoundSummary(version=version)
    summary.text_en = clean_user_text(text_en)
    summary.text_km = clean_user_text(text_km)
    if not summary.text_en and not summary.text_km:
        raise DomainError(_("Write the summary in at least one language."), field="text_en")
    summary.revision = current + 1
    summary.updated_by = by
    summary._change_reason = "Round summary written" if created else "Round summary edited"
    summary._history_user = by
    try:
        with transaction.atomic():
            summary.save()
    except IntegrityError:
        # Two first summaries at once: the other one won.
        raise ConflictError(
            _("Somebody else changed this summary while you were editing it; reload it first.")
        ) from None
    return summary


def open_data_publish(*, draft: Draft) -> OpenDataRelease:
    """Write the draft's open data and make it the current release.

    Idempotent: when the public data has not changed since the last release
    (same digest) nothing is written. Builds of one draft are serialised on the
    draft's row, so a slower build that read older data cannot replace a newer
    release. Files go to a folder named by their digest and the release row
    points to it only once all are stored, so a reader never mixes two
    releases; the previous folder is removed after the switch is committed.
    """
    with transaction.atomic():
        Draft.objects.select_for_update().filter(pk=draft.pk).first()
        tables = opendata.open_data_tables(draft)
        files = opendata.data_files(draft, tables)
        digest = opendata.release_digest(files)
        release = OpenDataRelease.objects.filter(draft=draft).first()
        if release is not None and release.digest == digest:
            return release
        folder = f"open-data/{draft.slug}/{digest}"
        entries = {}
        for f in files:
            path = f"{folder}/{f.name}"
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(f.content))
            entries[f.name] = {
                "path": path,
                "etag": f.etag,
                "size": len(f.content),
                "content_type": f.content_type,
                "format": f.format,
                "table": f.table,
            }
        previous = dict(release.files) if release is not None else {}
        if release is None:
            release = OpenDataRelease(draft=draft)
        release.digest = digest
        release.files = entries
        release.comment_count = len(tables["comments"])
        release.generated_at = timezone.now()
        release.save()
        if previous:
            transaction.on_commit(lambda: _remove_files(previous, keep=entries))
    return release


def _remove_files(previous: dict, *, keep: dict) -> None:
    kept = {entry["path"] for entry in keep.values()}
    for entry in previous.values():
        if entry["path"] in kept:
            continue
        try:
            default_storage.delete(entry["path"])
        except OSError:  # a file already gone is what we wanted
            logger.warning("open data: could not remove %s", entry["path"])

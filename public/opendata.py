"""The open data of a draft: every public item, as tables, and the files made from them.

What goes in is exactly what an anonymous reader finds on the reading pages:
published versions and their provisions, and the comments the policy's
``comment_visibility_filter`` shows to nobody signed in (public ones), less
hidden and withdrawn ones, with their replies, dispositions, endorsements and
passage checks. People's names are left out: each comment is attributed to the
organisation it speaks for (the privacy notice says so).

The columns of each table are the data dictionary (``DICTIONARY``): the page
that documents the files and the files themselves are made from the same list.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Disposition, Endorsement, PassageCheck
from drafts import selectors as draft_selectors
from drafts.models import Draft, Provision
from stakeholders.policies import comment_visibility_filter

LICENCE = _(
    "Licence: Creative Commons Attribution 4.0 International (CC BY 4.0). "
    "You may copy, share and adapt these data for any purpose, provided you name the "
    "source: the Consultation Portal of the Kingdom of Cambodia."
)
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Column:
    name: str
    description: str


def _columns(*pairs) -> list[Column]:
    return [Column(name, description) for name, description in pairs]


DICTIONARY: dict[str, tuple[str, list[Column]]] = {
    "versions": (
        _("One row per published version of the draft (a consultation round)."),
        _columns(
            ("number", _("The version's number, from 1.")),
            ("status", _("in_consultation, closed, superseded or submitted.")),
            ("opens_at", _("When the consultation opened (ISO 8601, UTC).")),
            ("closes_at", _("When the consultation closes or closed (ISO 8601, UTC).")),
            ("published_at", _("When the version was published.")),
            ("change_note_en", _("What changed in this version, in English.")),
            ("change_note_km", _("What changed in this version, in Khmer.")),
        ),
    ),
    "provisions": (
        _("One row per provision (chapter, section, article) of each published version."),
        _columns(
            ("version", _("The version's number.")),
            ("stable_id", _("The provision's identifier, the same in every version.")),
            ("parent", _("The stable_id of the chapter or section it belongs to, if any.")),
            ("kind", _("part, chapter, section or article.")),
            ("number", _("Its number in this version.")),
            ("position", _("Its order in the whole text of this version.")),
            ("heading_en", _("Heading in English.")),
            ("heading_km", _("Heading in Khmer.")),
            ("text_en", _("Text in English.")),
            ("text_km", _("Text in Khmer.")),
        ),
    ),
    "comments": (
        _(
            "One row per public comment, question, proposed amendment or reply that "
            "anyone can read on the portal."
        ),
        _columns(
            ("id", _("The comment's number; its page is /comments/<id>/.")),
            ("version", _("The number of the version it was made on.")),
            ("provision", _("The stable_id of the provision it is about.")),
            ("parent", _("The comment it answers, empty for the first comment of a thread.")),
            ("kind", _("comment, question, amendment or new_article.")),
            ("body", _("The text, in a small Markdown subset.")),
            (
                "proposed_text",
                _(
                    "For a proposed amendment, the wording proposed; for a proposed new "
                    "article, its text in English."
                ),
            ),
            ("proposed_text_km", _("For a proposed new article, its text in Khmer.")),
            ("quote", _("The words of the article the comment quotes, if any.")),
            ("quote_language", _("The language of the quote: en or km.")),
            ("organisation", _("The identifier (slug) of the organisation it speaks for.")),
            ("organisation_name_en", _("The organisation's name in English.")),
            ("organisation_name_km", _("The organisation's name in Khmer.")),
            ("organisation_kind", _("The kind of organisation (ministry, ngo, ...).")),
            ("created_at", _("When it was posted.")),
            ("edited_at", _("When its author last edited it, if ever.")),
        ),
    ),
    "dispositions": (
        _("The ministry's answer to the first comment of each public thread."),
        _columns(
            ("comment", _("The comment answered.")),
            ("status", _("pending, accepted, partly_accepted, rejected or noted.")),
            ("response", _("The ministry's reasons.")),
            ("responded_at", _("When the answer was recorded.")),
            ("applied_in_version", _("For an applied amendment, the version it landed in.")),
            ("addressed_in_version", _("The version in which a drafter's edit addresses it.")),
            ("superseded_reason", _("Why applied words were later taken out again, if so.")),
        ),
    ),
    "endorsements": (
        _("Organisations that co-signed a public comment."),
        _columns(
            ("comment", _("The comment endorsed.")),
            ("organisation", _("The endorsing organisation's identifier (slug).")),
            ("organisation_name_en", _("Its name in English.")),
            ("created_at", _("When it endorsed.")),
        ),
    ),
    "passage_checks": (
        _("Where the passage a public comment is about stands in each later version."),
        _columns(
            ("comment", _("The comment.")),
            ("version", _("The later version checked.")),
            ("result", _("unchanged, moved, changed or removed.")),
            ("changed_languages", _("The languages whose text changed: en, km or en,km.")),
            ("found_text", _("The passage as found in the later version.")),
        ),
    ),
}


def _iso(value) -> str:
    return value.isoformat() if value else ""


def public_comments(draft: Draft, version_ids) -> list[Comment]:
    """The draft's comments anyone may read: public, neither hidden nor withdrawn."""
    visible = comment_visibility_filter(AnonymousUser(), draft)
    return list(
        Comment.objects.filter(version_id__in=version_ids, state=Comment.State.ACTIVE)
        .filter(visible)
        .exclude(state=Comment.State.HIDDEN)
        .select_related("version", "provision", "organisation")
        .order_by("version__number", "thread_path")
    )


def _nearest_included_ancestor(comment: Comment, included: set[int]) -> int | None:
    """The closest ancestor also in the data: a reply whose parent is not public hangs under
    the next public one up, as the thread pages show it (``comments.selectors.nest``)."""
    ancestors = [int(part) for part in comment.thread_path.split(".") if part][:-1]
    if not ancestors and comment.parent_id:
        ancestors = [comment.parent_id]
    for pk in reversed(ancestors):
        if pk in included:
            return pk
    return None


def open_data_tables(draft: Draft) -> dict[str, list[dict]]:
    """Every public item of ``draft``, as the tables of ``DICTIONARY``, in a stable order."""
    versions = [
        v
        for v in draft_selectors.readable_versions(user=AnonymousUser(), draft=draft)
        if v.is_frozen
    ]
    version_ids = [v.pk for v in versions]
    provisions = list(
        Provision.objects.filter(version_id__in=version_ids, removed_at__isnull=True)
        .select_related("version", "parent")
        .order_by("version__number", "position")
    )
    comments = public_comments(draft, version_ids)
    included = {c.pk for c in comments}
    dispositions = list(
        Disposition.objects.filter(comment_id__in=included)
        .select_related("applied_in_version", "addressed_in_version")
        .order_by("comment_id")
    )
    endorsements = list(
        Endorsement.objects.filter(comment_id__in=included, withdrawn_at__isnull=True)
        .select_related("organisation")
        .order_by("comment_id", "organisation__slug")
    )
    checks = list(
        PassageCheck.objects.filter(comment_id__in=included, version_id__in=version_ids)
        .select_related("version")
        .order_by("comment_id", "version__number")
    )
    return {
        "versions": [
            {
                "number": v.number,
                "status": v.status,
                "opens_at": _iso(v.opens_at),
                "closes_at": _iso(v.closes_at),
                "published_at": _iso(v.published_at),
                "change_note_en": v.change_note_en,
                "change_note_km": v.change_note_km,
            }
            for v in versions
        ],
        "provisions": [
            {
                "version": p.version.number,
                "stable_id": p.stable_id,
                "parent": p.parent.stable_id if p.parent else "",
                "kind": p.kind,
                "number": p.number,
                "position": p.position,
                "heading_en": p.heading_en,
                "heading_km": p.heading_km,
                "text_en": p.text_en,
                "text_km": p.text_km,
            }
            for p in provisions
        ],
        "comments": [
            {
                "id": c.pk,
                "version": c.version.number,
                "provision": c.provision.stable_id if c.provision_id else "",
                "parent": _nearest_included_ancestor(c, included) or "",
                "kind": c.kind,
                "body": c.body,
                "proposed_text": c.proposed_text,
                "proposed_text_km": c.proposed_text_km,
                "quote": c.quote_exact,
                "quote_language": c.quote_language,
                "organisation": c.organisation.slug,
                "organisation_name_en": c.organisation.name_en,
                "organisation_name_km": c.organisation.name_km,
                "organisation_kind": c.organisation.kind,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
            }
            for c in comments
        ],
        "dispositions": [
            {
                "comment": d.comment_id,
                "status": d.status,
                "response": d.response,
                "responded_at": _iso(d.responded_at),
                "applied_in_version": d.applied_in_version.number if d.applied_in_version else "",
                "addressed_in_version": (
                    d.addressed_in_version.number if d.addressed_in_version else ""
                ),
                "superseded_reason": d.superseded_reason if d.superseded_at else "",
            }
            for d in dispositions
        ],
        "endorsements": [
            {
                "comment": e.comment_id,
                "organisation": e.organisation.slug,
                "organisation_name_en": e.organisation.name_en,
                "created_at": _iso(e.created_at),
            }
            for e in endorsements
        ],
        "passage_checks": [
            {
                "comment": pc.comment_id,
                "version": pc.version.number,
                "result": pc.result,
                "changed_languages": pc.changed_languages,
                "found_text": pc.found_text,
            }
            for pc in checks
        ],
    }


# --- files ------------------------------------------------------------------------

JSON_TYPE = "application/json; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class DataFile:
    name: str
    format: str  # json, ndjson, csv
    table: str  # "" for the files that hold every table
    content_type: str
    content: bytes

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _dataset(draft: Draft) -> dict:
    return {
        "draft": draft.slug,
        "title_en": draft.title_en,
        "title_km": draft.title_km,
        "lead_ministry": draft.lead_ministry.slug,
        "licence": str(LICENCE),
        "licence_url": LICENCE_URL,
    }


def data_files(draft: Draft, tables: dict[str, list[dict]]) -> list[DataFile]:
    """The JSON, NDJSON and per-table CSV files of ``tables``, byte for byte deterministic.

    The same data always gives the same bytes (no build time inside), so their
    digest tells whether anything changed since the last release.
    """
    from django.utils import translation

    with translation.override("en"):
        dataset = _dataset(draft)
    whole = {"dataset": dataset, **tables}
    files = [
        DataFile(
            f"{draft.slug}.json",
            "json",
            "",
            JSON_TYPE,
            json.dumps(whole, ensure_ascii=False, indent=1, sort_keys=False).encode(),
        )
    ]
    lines = [json.dumps({"table": "dataset", **dataset}, ensure_ascii=False)]
    for table, rows in tables.items():
        lines.extend(json.dumps({"table": table, **row}, ensure_ascii=False) for row in rows)
    files.append(
        DataFile(
            f"{draft.slug}.ndjson", "ndjson", "", NDJSON_TYPE, ("\n".join(lines) + "\n").encode()
        )
    )
    for table, rows in tables.items():
        out = io.StringIO()
        columns = [column.name for column in DICTIONARY[table][1]]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        # A byte-order mark so that spreadsheet programs read the Khmer as UTF-8.
        files.append(
            DataFile(
                f"{draft.slug}-{table}.csv",
                "csv",
                table,
                CSV_TYPE,
                ("\ufeff" + out.getvalue()).encode(),
            )
        )
    return files


def release_digest(files: list[DataFile]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.etag.encode() + b"\0")
    return digest.hexdigest()


def public_record_filter() -> Q:
    """The open data's reader, for tests and the API to compare with."""
    return comment_visibility_filter(AnonymousUser()) & Q(state=Comment.State.ACTIVE)

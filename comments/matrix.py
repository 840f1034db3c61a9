"""The comment-response matrix: every top-level comment of a version and what became of it.

It is the document a ministry hands to the Assembly with a new version, so it
is built from the same visibility rules as every other list
(``comment_visibility_filter``), numbered in document order, and exported to
CSV and XLSX with the same columns.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from stakeholders.policies import comment_record_filter, comment_visibility_filter

from .models import INDIVIDUAL_KIND, Comment, Disposition

FILTER_NAMES = ("article", "speaker", "organisation_kind", "organisation", "kind", "disposition")
# The "speaker" filter: individuals (people for themselves) or organisations.
SPEAKER_INDIVIDUAL = "individual"
SPEAKER_ORGANISATION = "organisation"


@dataclass
class MatrixRow:
    number: int
    comment_id: int
    organisation_name: str
    organisation_kind: str
    article_label: str
    article_stable_id: str
    kind: str
    text: str
    quote: str
    disposition: str
    response: str
    responded_by: str
    landed_in: int | str
    # "Superseded by #N: reason" when the applied words were taken out again (landed_in is then "").
    superseded: str = ""
    # For filtering and for the pages that show the row; not exported.
    # An individual's row has organisation_id 0 and its author's name as organisation_name.
    is_individual: bool = False
    organisation_verified: bool = False
    organisation_id: int = 0
    organisation_kind_code: str = ""
    kind_code: str = ""
    disposition_code: str = Disposition.Status.PENDING
    state: str = Comment.State.ACTIVE
    comment: Comment | None = field(default=None, repr=False, compare=False)


def _top_level_comments(*, version, user=None, reader: Q | None = None):
    """The version's first comments of threads in the record ``user`` may read, in document order.

    ``reader``, a filter from ``stakeholders.policies``, stands for a reader who
    is not a person (a review packet's) instead of ``user``.
    """
    record = reader if reader is not None else comment_record_filter(user, version.draft)
    return (
        Comment.objects.filter(version=version, parent__isnull=True)
        .filter(record)
        .select_related(
            "organisation",
            "provision",
            "author",
            "disposition",
            "disposition__responded_by",
            "disposition__applied_in_version",
        )
        # General comments (on no provision) first, as the whole draft comes before its parts.
        .order_by(F("provision__position").asc(nulls_first=True), "created_at", "pk")
    )


def superseded_text(disposition: Disposition | None) -> str:
    """What the record says of an applied amendment whose words were taken out again, or ""."""
    if disposition is None or disposition.superseded_at is None:
        return ""
    if disposition.superseded_by_id:
        return _("Superseded by #%(id)s: %(reason)s") % {
            "id": disposition.superseded_by_id,
            "reason": disposition.superseded_reason,
        }
    return _("Superseded: %(reason)s") % {"reason": disposition.superseded_reason}


def _row(number: int, comment: Comment) -> MatrixRow:
    disposition = getattr(comment, "disposition", None)
    superseded = superseded_text(disposition)
    text = comment.proposed_text if comment.kind == Comment.Kind.AMENDMENT else comment.body
    if comment.kind == Comment.Kind.NEW_ARTICLE:
        text = "\n\n".join(t for t in (comment.proposed_text, comment.proposed_text_km) if t)
    status = disposition.status if disposition else Disposition.Status.PENDING
    return MatrixRow(
        number=number,
        comment_id=comment.pk,
        organisation_name=comment.speaker_name,
        organisation_kind=comment.speaker_kind,
        article_label=comment.target_label,
        article_stable_id=comment.provision.stable_id if comment.provision_id else "",
        kind=comment.get_kind_display(),
        text=text,
        quote=comment.quote_exact,
        disposition=str(Disposition.Status(status).label),
        response=disposition.response if disposition else "",
        responded_by=(
            disposition.responded_by.name if disposition and disposition.responded_by else ""
        ),
        landed_in=(
            disposition.applied_in_version.number
            if disposition and disposition.applied_in_version and not superseded
            else ""
        ),
        superseded=superseded,
        is_individual=comment.is_individual,
        organisation_verified=bool(comment.organisation_id and comment.organisation.verified),
        organisation_id=comment.organisation_id or 0,
        organisation_kind_code=(
            INDIVIDUAL_KIND if comment.is_individual else comment.organisation.kind
        ),
        kind_code=comment.kind,
        disposition_code=status,
        state=comment.state,
        comment=comment,
    )


def _matches(row: MatrixRow, filters: dict) -> bool:
    checks = {
        "article": row.article_stable_id,
        "speaker": SPEAKER_INDIVIDUAL if row.is_individual else SPEAKER_ORGANISATION,
        "organisation_kind": row.organisation_kind_code,
        "organisation": str(row.organisation_id),
        "kind": row.kind_code,
        "disposition": row.disposition_code,
    }
    for name, actual in checks.items():
        wanted = filters.get(name)
        if wanted not in (None, "") and str(wanted) != actual:
            return False
    return True


def matrix_all_rows(*, version, user=None, reader: Q | None = None) -> list[MatrixRow]:
    """Every row ``user`` (or ``reader``) may see, numbered; filters do not change numbers."""
    comments = _top_level_comments(version=version, user=user, reader=reader)
    return [_row(number, comment) for number, comment in enumerate(comments, 1)]


def filter_rows(rows: list[MatrixRow], filters: dict | None) -> list[MatrixRow]:
    if not filters:
        return list(rows)
    return [row for row in rows if _matches(row, filters)]


def response_matrix(
    *, version, user=None, reader: Q | None = None, filters: dict | None = None
) -> list[MatrixRow]:
    """The comment-response matrix of a version as ``user`` may see it (one query).

    Filters (all optional, by code): ``article`` (stable id), ``speaker`` (``individual``
    or ``organisation``), ``organisation_kind`` (``individual`` for individuals),
    ``organisation`` (id), ``kind``, ``disposition``.
    """
    return filter_rows(matrix_all_rows(version=version, user=user, reader=reader), filters)


@dataclass
class Facet:
    name: str
    label: str
    options: list[tuple[str, str, int]]  # (value, label, count)


def matrix_facets(rows: list[MatrixRow], filters: dict | None = None) -> list[Facet]:
    """Options and counts for each filter.

    Each facet counts the rows that match every *other* active filter, so the
    numbers say how many rows choosing that option would show.
    """
    filters = filters or {}
    facets = []
    specs = (
        ("article", _("Article"), lambda r: (r.article_stable_id, r.article_label)),
        (
            "speaker",
            _("Individual or organisation"),
            lambda r: (
                (SPEAKER_INDIVIDUAL, _("Individuals"))
                if r.is_individual
                else (SPEAKER_ORGANISATION, _("Organisations"))
            ),
        ),
        (
            "organisation_kind",
            _("Kind of organisation"),
            lambda r: (r.organisation_kind_code, r.organisation_kind),
        ),
        (
            "organisation",
            _("Organisation"),
            lambda r: (str(r.organisation_id), r.organisation_name),
        ),
        ("kind", _("Kind of comment"), lambda r: (r.kind_code, r.kind)),
        ("disposition", _("Disposition"), lambda r: (r.disposition_code, r.disposition)),
    )
    for name, label, key in specs:
        others = {k: v for k, v in filters.items() if k != name}
        counts: Counter = Counter()
        labels: dict[str, str] = {}
        order: list[str] = []
        for row in rows:
            value, value_label = key(row)
            if value not in labels:
                labels[value] = value_label
                order.append(value)
            if _matches(row, others):
                counts[value] += 1
        if name == "disposition":
            for status in Disposition.Status:
                if status.value not in labels:
                    labels[status.value] = str(status.label)
                    order.append(status.value)
            order.sort(key=lambda v: list(Disposition.Status.values).index(v))
        elif name not in ("article",):
            order.sort(key=lambda v: labels[v].lower())
        facets.append(
            Facet(name=name, label=label, options=[(v, labels[v], counts[v]) for v in order])
        )
    return facets


# --- exports ---------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("No."),
        _("Comment ID"),
        _("Organisation"),
        _("Kind of organisation"),
        _("Article"),
        _("Article identifier"),
        _("Kind"),
        _("Comment or proposed text"),
        _("Quoted passage"),
        _("Disposition"),
        _("Response"),
        _("Responded by"),
        _("Change landed in version"),
        _("Superseded"),
    ]


def _values(row: MatrixRow) -> list:
    return [
        row.number,
        row.comment_id,
        row.organisation_name,
        row.organisation_kind,
        row.article_label,
        row.article_stable_id,
        row.kind,
        row.text,
        row.quote,
        row.disposition,
        row.response,
        row.responded_by,
        row.landed_in,
        row.superseded,
    ]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value):
    """Stop a commenter's "=HYPERLINK(...)" from running as a formula in Excel."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Columns an app above adds to the exports (the drafting desk's tags): a header and
# each row's value by comment id. This app does not know what they are.
ExtraColumns = Sequence[tuple[str, Mapping[int, str]]]


def _row_values(row: MatrixRow, extra_columns: ExtraColumns) -> list:
    return _values(row) + [values.get(row.comment_id, "") for _header, values in extra_columns]


def matrix_csv(rows: list[MatrixRow], extra_columns: ExtraColumns = ()) -> bytes:
    """The matrix as CSV, UTF-8 with a byte-order mark so that Excel reads Khmer correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headers() + [header for header, _values in extra_columns])
    for row in rows:
        writer.writerow([_spreadsheet_safe(v) for v in _row_values(row, extra_columns)])
    return buffer.getvalue().encode("utf-8-sig")


def matrix_xlsx(rows: list[MatrixRow], extra_columns: ExtraColumns = ()) -> bytes:
    """The matrix as an Excel workbook; every cell is text or a number, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Comment-response matrix")[:31]
    sheet.append(_headers() + [header for header, _values in extra_columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_index, row in enumerate(rows, start=2):
        for column_index, value in enumerate(_row_values(row, extra_columns), start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=row_index, column=column_index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a leading "=" stays text
            cell.alignment = wrap
    widths = [6, 10, 28, 20, 14, 20, 16, 60, 40, 16, 60, 20, 12, 40] + [30] * len(extra_columns)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- carry-forward ---------------------------------------------------------------


def earlier_feedback_by_article(version, user=None) -> dict[str, dict]:
    """Per stable id, how many comments earlier versions of the draft received, and the decisions.

    ``{"chp_1__art_2": {"count": 3, "by_disposition": {"accepted": 1, "pending": 2},
    "labels": [("Accepted", 1), ("Pending", 2)]}}``. One query. With ``user``, only
    comments that user may see are counted; hidden comments are never counted.
    """
    queryset = Comment.objects.filter(
        version__draft_id=version.draft_id,
        version__number__lt=version.number,
        parent__isnull=True,
    ).exclude(state=Comment.State.HIDDEN)
    if user is not None:
        queryset = queryset.filter(comment_visibility_filter(user, version.draft))
    result: dict[str, dict] = {}
    grouped = (
        queryset.values("provision__stable_id", "disposition__status")
        .annotate(n=Count("pk"))
        .order_by("provision__stable_id")
    )
    for item in grouped:
        entry = result.setdefault(
            item["provision__stable_id"], {"count": 0, "by_disposition": {}, "labels": []}
        )
        status = item["disposition__status"] or Disposition.Status.PENDING
        entry["count"] += item["n"]
        entry["by_disposition"][status] = entry["by_disposition"].get(status, 0) + item["n"]
    order = list(Disposition.Status.values)
    for entry in result.values():
        entry["labels"] = [
            (str(Disposition.Status(status).label), status, count)
            for status, count in sorted(
                entry["by_disposition"].items(), key=lambda kv: order.index(kv[0])
            )
        ]
    return result


def attach_earlier_feedback(provisions, version, user=None) -> None:
    """Set ``provision.earlier_feedback`` (or None) on each provision, for templates."""
    feedback = earlier_feedback_by_article(version, user)
    for provision in provisions:
        provision.earlier_feedback = feedback.get(provision.stable_id)


def passage_checks_for(version) -> dict[int, str]:
    """For comments on ``version``: comment id → result of the check in the latest later version."""
    from .models import PassageCheck

    checks = (
        PassageCheck.objects.filter(comment__version=version)
        .select_related("version")
        .order_by("comment_id", "version__number")
    )
    latest: dict[int, PassageCheck] = {}
    for check in checks:
        latest[check.comment_id] = check
    return latest


__all__ = [
    "FILTER_NAMES",
    "Facet",
    "MatrixRow",
    "attach_earlier_feedback",
    "earlier_feedback_by_article",
    "filter_rows",
    "matrix_all_rows",
    "matrix_csv",
    "matrix_facets",
    "matrix_xlsx",
    "passage_checks_for",
    "response_matrix",
    "superseded_text",
]

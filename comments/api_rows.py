"""The comment API's lists, read as plain rows and shaped without a serializer per row.

``/api/v1/comments/`` and ``/api/v1/threads/`` show what ``CommentSerializer``
and ``CommentThreadSerializer`` show, field for field (a test compares them),
but a page of rows is read with ``.values()`` and shaped by one function:
building DRF fields, a disposition serializer and an attachment serializer
for every row cost far more than the database. Whatever depends on the
reader comes from ``stakeholders.policies`` (``CommentDecisions``: each rule
decided once per kind of row); people's and organisations' names and
provision labels from the models' own properties, once per distinct one.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils.html import escape
from rest_framework import serializers

from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation, User
from stakeholders.policies import CommentDecisions, can

from .models import Attachment, Comment, Disposition
from .selectors import ATTACHMENT_LIST_FIELDS
from .serializers import ACTIONS

COMMENT_FIELDS = (
    "id",
    "version_id",
    "provision_id",
    "parent_id",
    "root_id",
    "depth",
    "thread_path",
    "kind",
    "visibility",
    "state",
    "body",
    "body_html",
    "proposed_text",
    "proposed_text_km",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "quote_language",
    "hidden_reason",
    "author_id",
    "organisation_id",
    "thread_author_id",
    "thread_organisation_id",
    "created_at",
    "edited_at",
    "revision",
    "withdrawn_at",
    "endorsement_count",
    "endorsed_by_my_organisation",
    "reply_count",
    "tracking_number",
)
# Read with the row (joined, as select_related did), turned into model instances
# once per distinct one so their own __str__ and properties name them.
RELATED_FIELDS = {
    "provision": ("stable_id", "kind", "number"),
    "author": ("display_name", "first_name", "last_name", "username", "closed_at"),
    "organisation": ("slug", "name_en", "name_km", "kind", "verified"),
    "disposition": (
        "id",
        "status",
        "response",
        "response_html",
        "responded_by_id",
        "responded_at",
        "applied_in_version_id",
        "addressed_in_version_id",
        "addressed_change",
        "revision",
    ),
    "disposition__responded_by": (
        "display_name",
        "first_name",
        "last_name",
        "username",
        "closed_at",
    ),
}
ROW_FIELDS = COMMENT_FIELDS + tuple(
    f"{relation}__{name}" for relation, names in RELATED_FIELDS.items() for name in names
)
_SENTINEL = 987654321987654321  # stands for the id in a URL built once per list


def versions_by_id(ids) -> dict:
    """Versions (with their drafts) by id, in one query."""
    return DraftVersion.objects.select_related("draft").in_bulk(ids) if ids else {}


def row_of(comment: Comment) -> SimpleNamespace:
    """A comment held as a model instance, as a row of ``RowShaper.rows``, for ``RowShaper.comment``.

    For a comment a service just returned: its provision, author, organisation and
    disposition are the instances the service saved it with, its files its
    ``attachment_list``, and the caller has set the counts a list row carries
    (``endorsement_count``, ``endorsed_by_my_organisation``, ``reply_count``). A
    relation the instance does not hold is read, as the serializer would read it.
    """
    row = SimpleNamespace(pk=comment.pk, version=comment.version)
    for name in COMMENT_FIELDS:
        setattr(row, name, getattr(comment, name))
    # Only a thread's first comment has a decision (the serializer reads it the same way).
    disposition = getattr(comment, "disposition", None) if comment.parent_id is None else None
    related = {
        "provision": comment.provision,
        "author": comment.author,
        "organisation": comment.organisation,
        "disposition": disposition,
        "disposition__responded_by": disposition.responded_by if disposition else None,
    }
    for relation, names in RELATED_FIELDS.items():
        instance = related[relation]
        for name in names:
            setattr(row, f"{relation}__{name}", getattr(instance, name, None))
    files = getattr(comment, "attachment_list", None)
    if files is None:
        files = list(comment.attachments.order_by("pk"))
    row.files = [
        {name: getattr(attachment, name) for name in ATTACHMENT_LIST_FIELDS} for attachment in files
    ]
    return row


def _datetime(value):
    return _DATETIME.to_representation(value) if value is not None else None


_DATETIME = serializers.DateTimeField()


class RowShaper:
    """Turns rows of ``ROW_FIELDS`` into the API's comments for one request."""

    def __init__(self, request):
        self.request = request
        self.decisions = CommentDecisions(getattr(request, "user", None))
        self._urls = {
            name: self._url_maker(view_name)
            for name, view_name in (
                ("comment", "api:comment-detail"),
                ("attachment", "api:attachment-download"),
            )
        }
        self._people: dict[int, dict] = {}
        self._organisations: dict[int, dict] = {}
        self._provisions: dict[int, dict] = {}
        self._status_labels: dict[str, str] = {}
        self._finds_by_receipt: dict[int, bool] = {}

    def _url_maker(self, view_name):
        url = reverse(view_name, args=[_SENTINEL])
        if self.request is not None:
            url = self.request.build_absolute_uri(url)
        head, tail = url.rsplit(str(_SENTINEL), 1)
        return lambda pk: f"{head}{pk}{tail}"

    # --- reading ------------------------------------------------------------------

    def rows(self, values: list[dict], versions: dict | None = None) -> list[SimpleNamespace]:
        """Rows as objects the permission rules and ``selectors.nest`` can read.

        Every row gets the one shared version instance (and its draft), so the
        rules read a draft's drafters once; and its files, in one query.
        ``versions``: the versions by id, when the caller has read them already.
        """
        rows = [SimpleNamespace(pk=value["id"], **value) for value in values]
        if versions is None:
            versions = versions_by_id({row.version_id for row in rows})
        files: dict[int, list[dict]] = {row.pk: [] for row in rows}
        if rows:
            for attachment in (
                Attachment.objects.filter(comment_id__in=list(files))
                .order_by("pk")
                .values(*ATTACHMENT_LIST_FIELDS)
            ):
                files[attachment["comment_id"]].append(attachment)
        for row in rows:
            row.version = versions[row.version_id]
            row.files = files[row.pk]
        return rows

    # --- shaping ------------------------------------------------------------------

    def comment(self, row) -> dict:
        decisions = self.decisions
        hidden = row.state == Comment.State.HIDDEN
        withheld = hidden and not decisions.can("comment.view_hidden", row)
        if withheld:
            body = decisions.why_not("comment.view_hidden", row) or ""
            body_html = f"<p>{escape(body)}</p>"
        else:
            body, body_html = row.body, row.body_html
        return {
            "id": row.pk,
            "url": self._urls["comment"](row.pk),
            "version": row.version_id,
            "provision": self._provision(row),
            "parent": row.parent_id,
            "root": row.root_id,
            "depth": row.depth,
            "kind": row.kind,
            "visibility": row.visibility,
            "state": row.state,
            "body": body,
            "body_html": body_html,
            "proposed_text": "" if withheld else row.proposed_text,
            "proposed_text_km": "" if withheld else row.proposed_text_km,
            "general": row.provision_id is None,
            "quote": None
            if not row.quote_exact or withheld
            else {
                "exact": row.quote_exact,
                "prefix": row.quote_prefix,
                "suffix": row.quote_suffix,
                "language": row.quote_language,
            },
            "text_hidden": withheld,
            "hidden_reason": row.hidden_reason if hidden and not withheld else None,
            "author": self._person(row.author_id, row, "author__"),
            "organisation": self._organisation(row),
            "individual": row.organisation_id is None,
            "created_at": _datetime(row.created_at),
            "edited_at": _datetime(row.edited_at),
            "revision": row.revision,
            "withdrawn_at": _datetime(row.withdrawn_at),
            "endorsement_count": row.endorsement_count,
            "endorsed_by_my_organisation": row.endorsed_by_my_organisation,
            "reply_count": row.reply_count,
            "disposition": self._disposition(row),
            "attachments": [] if withheld else [self._attachment(f) for f in row.files],
            "permissions": {name: decisions.can(action, row) for name, action in ACTIONS.items()},
            "tracking_number": self.tracking_number(row),
        }

    # --- parts ----------------------------------------------------------------------

    def tracking_number(self, row) -> str | None:
        """The author's own number; for anyone else the rule depends only on the draft,
        so it is decided once per draft, not per row (as the serializer does)."""
        user = self.decisions.user
        if user is not None and user.is_authenticated and row.author_id == user.pk:
            return row.tracking_number
        draft_id = row.version.draft_id
        if draft_id not in self._finds_by_receipt:
            self._finds_by_receipt[draft_id] = can(user, "comment.find_by_receipt", row)
        return row.tracking_number if self._finds_by_receipt[draft_id] else None

    def _provision(self, row) -> dict | None:
        if row.provision_id is None:  # a general comment, on the whole draft
            return None
        found = self._provisions.get(row.provision_id)
        if found is None:
            provision = Provision(
                pk=row.provision_id,
                stable_id=row.provision__stable_id,
                kind=row.provision__kind,
                number=row.provision__number,
            )
            found = self._provisions[row.provision_id] = {
                "id": provision.pk,
                "stable_id": provision.stable_id,
                "label": str(provision.label),
            }
        return found

    def _person(self, pk, row, prefix: str) -> dict:
        found = self._people.get(pk)
        if found is None:
            person = User(
                pk=pk, **{name: getattr(row, prefix + name) for name in RELATED_FIELDS["author"]}
            )
            found = self._people[pk] = {"name": str(person)}
        return found

    def _organisation(self, row) -> dict | None:
        pk = row.organisation_id
        if pk is None:
            return None
        found = self._organisations.get(pk)
        if found is None:
            names = RELATED_FIELDS["organisation"]
            organisation = Organisation(
                pk=pk, **{name: getattr(row, "organisation__" + name) for name in names}
            )
            found = self._organisations[pk] = {
                "id": pk,
                "slug": organisation.slug,
                "name": organisation.name,
                "kind": organisation.kind,
                "verified": organisation.verified,
            }
        return found

    def _status_label(self, status: str) -> str:
        label = self._status_labels.get(status)
        if label is None:
            label = self._status_labels[status] = Disposition(status=status).get_status_display()
        return str(label)

    def _disposition(self, row) -> dict | None:
        if row.parent_id is not None or row.disposition__id is None:
            return None
        responder = row.disposition__responded_by_id
        return {
            "status": row.disposition__status,
            "status_label": self._status_label(row.disposition__status),
            "response": row.disposition__response,
            "response_html": row.disposition__response_html,
            "responded_by": None
            if responder is None
            else self._person(responder, row, "disposition__responded_by__"),
            "responded_at": _datetime(row.disposition__responded_at),
            "applied_in_version": row.disposition__applied_in_version_id,
            "addressed_in_version": row.disposition__addressed_in_version_id,
            "addressed_change": row.disposition__addressed_change,
            "revision": row.disposition__revision,
        }

    def _attachment(self, attachment: dict) -> dict:
        return {
            "id": attachment["pk"],
            "name": attachment["original_name"],
            "content_type": attachment["content_type"],
            "size": attachment["size"],
            "contains_scripts": attachment["active_content"],
            "download_url": self._urls["attachment"](attachment["pk"]),
        }

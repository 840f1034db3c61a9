"""The content fingerprint that identifies a packet.

A sha256 over everything the PDF is made from: the draft's titles, the
version's provisions (and the comparison version's, for the redline), every
included comment with its revision, its disposition and its endorsements, the
options, and TEMPLATE_VERSION. Equal fingerprints mean an identical packet, so
a request with nothing changed reuses the packet already built; any new
comment, edit, endorsement or disposition changes it. Rows are streamed
(``iterator``) so that fingerprinting tens of thousands of comments keeps
memory flat.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q

from comments.models import Attachment, Comment, Disposition, Endorsement
from drafts.models import DraftVersion, Provision
from stakeholders.policies import packet_reader_filter

from .models import Packet
from .selectors import active_endorsements, campaign_members, grouping_rows, packet_comments

# Bump whenever the templates or the CSS change what a packet looks like.
TEMPLATE_VERSION = "packet-12"


def _feed(digest, label: str, rows) -> None:
    digest.update(f"\x1e{label}\x1f".encode())
    for row in rows:
        digest.update(repr(tuple(row)).encode("utf-8"))
        digest.update(b"\x1d")


def _provision_rows(version: DraftVersion):
    return (
        Provision.objects.for_reading(version)
        .values_list(
            "stable_id",
            "kind",
            "number",
            "position",
            "parent__stable_id",
            "heading_en",
            "heading_km",
            "text_en",
            "text_km",
            "revision",
        )
        .iterator(chunk_size=2000)
    )


def _behind_rows(version: DraftVersion, compare_to: DraftVersion, include_restricted: bool):
    """The comments whose dispositions link them to a change between the two versions."""
    since, upto = compare_to.number, version.number

    def linked(name: str) -> dict:
        prefix = f"disposition__{name}"
        return {
            f"{prefix}__draft_id": version.draft_id,
            f"{prefix}__number__gt": since,
            f"{prefix}__number__lte": upto,
        }

    return (
        Comment.objects.filter(version__draft_id=version.draft_id, parent__isnull=True)
        .filter(packet_reader_filter(include_restricted=include_restricted))
        .filter(Q(**linked("applied_in_version")) | Q(**linked("addressed_in_version")))
        .order_by("pk")
        .values_list(
            "pk",
            "revision",
            "state",
            "organisation__name_en",
            "disposition__revision",
            "disposition__status",
            "disposition__addressed_change",
        )
        .iterator(chunk_size=2000)
    )


def packet_fingerprint(
    *,
    version: DraftVersion,
    compare_to: DraftVersion | None,
    language: str,
    include_restricted: bool,
    as_of=None,
) -> str:
    """The fingerprint of the packet these options give, now or ``as_of`` a build's start.

    Comments and endorsements made after ``as_of`` are not in that build, so
    they do not change its fingerprint; an edit, a withdrawal or a decision
    on a comment it holds does.
    """
    digest = hashlib.sha256()
    draft = version.draft
    _feed(
        digest,
        "head",
        [
            (TEMPLATE_VERSION, language, bool(include_restricted)),
            (compare_to.pk if compare_to else None, compare_to.number if compare_to else None),
            (draft.pk, draft.title_en, draft.title_km, draft.short_title_en, draft.short_title_km),
            (version.pk, version.number, version.opens_at, version.closes_at),
        ],
    )
    _feed(digest, "provisions", _provision_rows(version))
    if compare_to is not None:
        _feed(digest, "compare", _provision_rows(compare_to))
    comments = packet_comments(version=version, include_restricted=include_restricted, as_of=as_of)
    _feed(
        digest,
        "comments",
        comments.order_by("pk")
        .values_list(
            "pk",
            "revision",
            "edited_at",
            "parent_id",
            "provision_id",
            "kind",
            "visibility",
            "organisation__name_en",
            "organisation__name_km",
            "organisation__kind",
        )
        .iterator(chunk_size=2000),
    )
    # What the packet prints of its comments' files, and the desk's groupings it counts.
    _feed(
        digest,
        "attachments",
        Attachment.objects.filter(comment__in=comments.values("pk"))
        .order_by("pk")
        .values_list("pk", "comment_id", "original_name", "sha256")
        .iterator(chunk_size=2000),
    )
    _feed(
        digest,
        "tags",
        grouping_rows("tags", comments=comments, include_restricted=include_restricted),
    )
    _feed(
        digest,
        "campaigns",
        campaign_members(comments=comments, include_restricted=include_restricted),
    )
    _feed(
        digest,
        "dispositions",
        Disposition.objects.filter(comment__in=comments.values("pk"))
        .order_by("comment_id")
        .values_list("comment_id", "status", "revision", "responded_at", "applied_in_version_id")
        .iterator(chunk_size=2000),
    )
    if compare_to is not None:
        # The redline prints the comments behind each change (comments.trace): they
        # were made on earlier versions, so they are not among the comments above.
        _feed(digest, "behind", _behind_rows(version, compare_to, include_restricted))
        # The earlier round's record: its threads and decisions, and its packet.
        earlier = packet_comments(version=compare_to, include_restricted=include_restricted)
        _feed(
            digest,
            "earlier",
            earlier.filter(parent__isnull=True)
            .order_by("pk")
            .values_list(
                "pk",
                "revision",
                "state",
                "disposition__status",
                "disposition__revision",
                "disposition__applied_in_version_id",
                "disposition__superseded_at",
            )
            .iterator(chunk_size=2000),
        )
        _feed(
            digest,
            "earlier-packet",
            Packet.objects.filter(
                version=compare_to,
                status=Packet.Status.READY,
                include_restricted=include_restricted,
            )
            .order_by("-finished_at", "-pk")
            .values_list("fingerprint")[:1],
        )
    _feed(
        digest,
        "endorsements",
        Endorsement.objects.filter(comment__in=comments.values("pk"))
        .filter(active_endorsements(as_of))
        .order_by("comment_id", "organisation_id")
        .values_list("comment_id", "organisation_id", "organisation__name_en", "created_at")
        .iterator(chunk_size=2000),
    )
    return digest.hexdigest()

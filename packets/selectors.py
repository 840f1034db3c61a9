"""Reads for review packets: what a packet contains, and the packets of a version.

A packet is written for one kind of reader, fixed by its options: a reader who
sees public and participants' comments, or (``include_restricted``) one who
also sees restricted comments. Its comments are exactly those such a reader
sees, as ``stakeholders.policies.packet_comment_filter`` states it — never
more — and only active ones: withdrawn and hidden comments are not part of the
record sent to the Assembly, nor are replies in a thread whose first comment is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from comments import groupings
from comments.models import INDIVIDUAL_LABEL, Attachment, Comment, Disposition, Endorsement
from comments.selectors import attachments_prefetch
from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation
from stakeholders.policies import packet_comment_filter

from .models import Packet, Transmission


def packet_comments(*, version: DraftVersion, include_restricted: bool, as_of=None):
    """The comments a packet of ``version`` includes, in no particular order.

    ``as_of`` (the moment a build started) leaves out what was posted later: a
    packet is the record as it stood at one moment, so a campaign still posting
    while it renders neither changes it half-way nor keeps it rebuilding.
    """
    comments = Comment.objects.filter(version=version).filter(
        packet_comment_filter(include_restricted=include_restricted)
    )
    if as_of is not None:
        comments = comments.filter(created_at__lte=as_of)
    return comments


def included_comments(packet: Packet):
    """The comments of this packet's build: its options, as of the moment the build started."""
    return packet_comments(
        version=packet.version,
        include_restricted=packet.include_restricted,
        as_of=packet.started_at,
    )


def active_endorsements(as_of=None) -> Q:
    """Endorsements in force at ``as_of`` (now when None): made by then, not withdrawn by then."""
    if as_of is None:
        return Q(withdrawn_at__isnull=True)
    return Q(created_at__lte=as_of) & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=as_of))


# --- the document's chapters ------------------------------------------------------


@dataclass
class Unit:
    """A chapter (or the provisions before the first chapter) and everything in it."""

    index: int
    heading: Provision | None
    provisions: list[Provision] = field(default_factory=list)

    @property
    def articles(self) -> list[Provision]:
        return [p for p in self.provisions if p.kind == Provision.Kind.ARTICLE]

    @property
    def anchor(self) -> str:
        return self.heading.stable_id if self.heading else "preliminary"


def document_units(version: DraftVersion) -> list[Unit]:
    """The version's provisions split at each part and chapter, in document order (one query)."""
    units: list[Unit] = []
    current: Unit | None = None
    for provision in Provision.objects.for_reading(version):
        provision.version = version
        if provision.kind in (Provision.Kind.PART, Provision.Kind.CHAPTER) or current is None:
            opens = provision.kind in (Provision.Kind.PART, Provision.Kind.CHAPTER)
            current = Unit(index=len(units), heading=provision if opens else None)
            units.append(current)
        current.provisions.append(provision)
    return units


# --- splitting the work -------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(settings.PORTAL.get(name, default))


def articles_per_part() -> int:
    return max(1, _setting("PACKET_ARTICLES_PER_PART", 40))


def threads_per_part() -> int:
    return max(1, _setting("PACKET_THREADS_PER_PART", 400))


def attachments_per_part() -> int:
    return max(1, _setting("PACKET_ATTACHMENTS_PER_PART", 60))


def plan_parts(packet: Packet, units: list[Unit] | None = None) -> list[dict]:
    """The pieces a packet is rendered in, each small enough for one worker.

    Every section (text, redline, comments, matrix) is cut into groups of
    chapters holding at most PORTAL["PACKET_ARTICLES_PER_PART"] articles; the
    comments of one article are cut further when it has more threads than
    PORTAL["PACKET_THREADS_PER_PART"]. The files attached to the comments, with
    their text, follow the matrix, PORTAL["PACKET_ATTACHMENTS_PER_PART"] to a
    part. Each piece starts on a new page, so the
    pieces can be rendered separately and put end to end.
    """
    units = units if units is not None else document_units(packet.version)
    per_part = articles_per_part()
    groups: list[list[int]] = []
    count = 0
    for unit in units:
        size = len(unit.articles)
        if groups and count + size <= per_part and count:
            groups[-1].append(unit.index)
            count += size
        else:
            groups.append([unit.index])
            count = size
    sections = ["text"]
    if packet.compare_to_id:
        sections += ["redline", "synopsis"]
    parts = [{"section": s, "units": g} for s in sections for g in groups]
    if included_comments(packet).filter(parent__isnull=True, provision__isnull=True).exists():
        parts.append({"section": "general", "units": []})  # comments on the whole draft
    parts += _comment_parts(packet, units)
    parts += [{"section": "matrix", "units": g} for g in groups]
    attachments = packet_attachments(packet).count()
    step = attachments_per_part()
    parts += [
        {"section": "attachments", "units": [], "attachments": [offset, step]}
        for offset in range(0, attachments, step)
    ]
    if packet.compare_to_id:
        parts.append({"section": "earlier", "units": []})
    parts.append({"section": "annex", "units": []})
    return parts


def earlier_packet(packet: Packet) -> Packet | None:
    """The latest ready packet of the version this one compares with, in the same options."""
    if not packet.compare_to_id:
        return None
    return (
        Packet.objects.filter(
            version_id=packet.compare_to_id,
            status=Packet.Status.READY,
            include_restricted=packet.include_restricted,
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def _comment_parts(packet: Packet, units: list[Unit]) -> list[dict]:
    threads = Counter(
        dict(
            included_comments(packet)
            .filter(parent__isnull=True)
            .values_list("provision_id")
            .annotate(n=Count("pk"))
            .values_list("provision_id", "n")
        )
    )
    limit = threads_per_part()
    per_part = articles_per_part()
    parts: list[dict] = []
    current: dict | None = None
    load = 0
    for unit in units:
        for provision in unit.provisions:
            n = threads.get(provision.pk, 0)
            if n > limit:
                for offset in range(0, n, limit):
                    parts.append(
                        {
                            "section": "comments",
                            "units": [unit.index],
                            "provision": provision.pk,
                            "threads": [offset, limit],
                        }
                    )
                current, load = None, 0
                continue
            if current is None or load + n > limit or len(current["provisions"]) >= per_part:
                current = {"section": "comments", "units": [], "provisions": []}
                parts.append(current)
                load = 0
            if unit.index not in current["units"]:
                current["units"].append(unit.index)
            current["provisions"].append(provision.pk)
            load += n
    return parts


# --- loading a part's comments -----------------------------------------------------


def packet_attachments(packet: Packet):
    """The files of the packet's comments, in document order: each goes with its comment's words.

    Whoever may read a comment may read its files (``attachment.download``), so a
    packet holds exactly the files of the comments it holds, and no others.
    """
    return Attachment.objects.filter(comment__in=included_comments(packet).values("pk")).order_by(
        "comment__provision__position", "comment__thread_path", "pk"
    )


def attachment_numbers(packet: Packet) -> dict[int, int]:
    """Each attachment's number in the packet's annex (A1, A2…), by attachment id (one query)."""
    ids = packet_attachments(packet).values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ids.iterator(chunk_size=2000), start=1)}


def attachments_for(packet: Packet, offset: int, limit: int) -> list[Attachment]:
    """One part's slice of the annex of attachments, with their comments' places (one query)."""
    return list(
        packet_attachments(packet).select_related("comment__provision", "comment__organisation")[
            offset : offset + limit
        ]
    )


def threads_for(
    *,
    packet: Packet,
    provision_ids: list[int],
    threads: tuple[int, int] | None = None,
) -> list[Comment]:
    """The included comments on these provisions, thread by thread in document order.

    ``threads`` = (offset, limit) takes a slice of one provision's threads, for
    an article with more comments than one part may hold. An empty
    ``provision_ids`` loads the general comments (on the whole draft).
    """
    base = included_comments(packet)
    # No provision ids: the general comments (on the whole draft, no provision).
    queryset = (
        base.filter(provision_id__in=provision_ids)
        if provision_ids
        else base.filter(provision__isnull=True)
    )
    if threads is not None:
        offset, limit = threads
        root_ids = list(
            queryset.filter(parent__isnull=True)
            .order_by("thread_path")
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        queryset = queryset.filter(Q(pk__in=root_ids) | Q(root_id__in=root_ids))
    return list(
        queryset.select_related("organisation", "disposition", "provision")
        .prefetch_related(
            attachments_prefetch(),
            Prefetch(
                "endorsements",
                queryset=Endorsement.objects.filter(active_endorsements(packet.started_at))
                .select_related("organisation")
                .order_by("created_at", "pk"),
                to_attr="active_endorsements",
            ),
        )
        .order_by("provision__position", "thread_path")
    )


def packet_statistics(*, packet: Packet, units: list[Unit]) -> dict:
    """Counts for the statistics annex: by kind of organisation, by chapter, by disposition."""

    comments = included_comments(packet)
    unit_of = {p.pk: unit.index for unit in units for p in unit.provisions}
    by_kind = Counter()
    by_unit = Counter()
    for kind, provision_id, n in (
        comments.values_list("organisation__kind", "provision_id")
        .annotate(n=Count("pk"))
        .values_list("organisation__kind", "provision_id", "n")
    ):
        by_kind[kind] += n
        by_unit[unit_of.get(provision_id)] += n
    by_disposition = Counter(
        dict(
            comments.filter(parent__isnull=True)
            .values_list("disposition__status")
            .annotate(n=Count("pk"))
            .values_list("disposition__status", "n")
        )
    )
    pending = by_disposition.pop(None, 0)
    by_disposition[Disposition.Status.PENDING] += pending
    kind_labels = {**dict(Organisation.Kind.choices), None: INDIVIDUAL_LABEL}  # individuals
    return {
        "by_kind": [
            (str(kind_labels.get(k, k)), n)
            for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])
        ],
        "by_unit": [(unit, by_unit.get(unit.index, 0)) for unit in units],
        "by_disposition": [
            (str(s.label), by_disposition.get(s.value, 0)) for s in Disposition.Status
        ],
        "total": sum(by_kind.values()),
        "threads": sum(by_disposition.values()),
        "by_tag": tag_counts(packet, comments),
        "campaigns": campaign_sizes(packet, comments),
    }


def grouping_rows(key: str, *, comments, include_restricted: bool) -> list[tuple[int, str]]:
    """(comment id, group) of a packet's comments in a grouping kept by the desk.

    Empty when no app provides the grouping, and for the team's internal labels
    (tags) in a packet that may be published (one without restricted comments).
    """
    found = groupings.grouping(key)
    if found is None or (found.internal and not include_restricted):
        return []
    return list(found.members(comments))


def campaign_members(*, comments, include_restricted: bool) -> list[list[int]]:
    """The packet's comments in each campaign with two or more of them, by comment id."""
    members: dict[str, list[int]] = {}
    rows = grouping_rows("campaigns", comments=comments, include_restricted=include_restricted)
    for comment_id, campaign in rows:
        members.setdefault(str(campaign), []).append(comment_id)
    return sorted(
        (sorted(ids) for ids in members.values() if len(ids) > 1),
        key=lambda ids: (-len(ids), ids[0]),
    )


def tag_counts(packet: Packet, comments) -> list[tuple[str, int]]:
    """How many of the packet's comments carry each tag, most used first."""
    rows = grouping_rows("tags", comments=comments, include_restricted=packet.include_restricted)
    counts = Counter(tag for _pk, tag in rows)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def campaign_sizes(packet: Packet, comments) -> list[dict]:
    """Each campaign (near-identical comments) with two or more in the packet, largest first.

    Its size counts only the packet's comments (a restricted member of a
    campaign is not counted in a packet without restricted comments); the first
    of them names it, by its article and its opening words.
    """
    sized = campaign_members(comments=comments, include_restricted=packet.include_restricted)
    first = {
        row["pk"]: row
        for row in Comment.objects.filter(pk__in=[ids[0] for ids in sized]).values(
            "pk", "body", "provision_id"
        )
    }
    return [
        {
            "size": len(ids),
            "comment_id": ids[0],
            "provision_id": first[ids[0]]["provision_id"],
            "excerpt": " ".join(first[ids[0]]["body"].split())[:140],
        }
        for ids in sized
        if ids[0] in first
    ]


# --- pages ------------------------------------------------------------------------


def packets_for_version(version: DraftVersion):
    """Every packet of a version, newest first, with what the list shows (one query)."""
    return (
        Packet.objects.filter(version=version)
        .select_related("compare_to", "requested_by")
        .order_by("-created_at", "-pk")
    )


def transmission_of(*, user, slug: str, number: int):
    """The transmission record of a version ``user`` may read, or None (one query)."""
    return (
        Transmission.objects.filter(version__in=DraftVersion.objects.readable_by(user))
        .select_related("version__draft", "packet", "recorded_by")
        .filter(version__draft__slug=slug, version__number=number)
        .first()
    )

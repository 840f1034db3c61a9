"""Reads of the drafting desk: the review list, its facets, the team, clusters, notes.

Every list starts from the policy's ``comment_record_filter`` (what the reader may
see of the record) and is shaped in SQL: filters, facet counts (``GROUP BY``) and
pages, so the desk costs the same few queries for 20 comments or 20,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.lookups import In
from django.utils.translation import gettext as _

from comments import groupings
from comments.models import (
    INDIVIDUAL_KIND,
    INDIVIDUAL_LABEL,
    WHOLE_DRAFT_LABEL,
    Comment,
    Disposition,
    PassageCheck,
)
from drafts.models import Draft, DraftVersion, Provision
from drafts.redline import DELETE, INSERT, word_diff
from stakeholders.models import Membership, Organisation
from stakeholders.policies import (
    can,
    comment_record_filter,
    drafting_org_ids,
    ensure_can,
)

from .clustering import tokens
from .models import Assignment, Cluster, ClusterMember, CommentTag, InternalNote, Tag

User = get_user_model()

PER_PAGE = 25
FILTER_NAMES = (
    "assignee",
    "tag",
    "cluster",
    "disposition",
    "article",
    "kind",
    "organisation_kind",
    "organisation",
)


def _as_int(value: str) -> int | None:
    return int(value) if str(value).isdigit() and len(str(value)) < 18 else None


# The "article" filter's value for comments on the whole draft (no provision); a stable id
# never has a hyphen.
WHOLE_DRAFT = "whole-draft"


def _filter_q(name: str, value: str, user) -> Q | None:
    """One filter of the desk as a query; None when the value cannot match anything."""
    number = _as_int(value)
    if name == "article":
        if value == WHOLE_DRAFT:
            return Q(provision__isnull=True)
        return Q(provision__stable_id=value)
    if name == "organisation_kind":
        if value == INDIVIDUAL_KIND:
            return Q(organisation__isnull=True)
        return Q(organisation__kind=value)
    if name == "kind":
        return Q(kind=value)
    if name == "disposition":
        return Q(disposition__status=value)
    if name == "organisation":
        return Q(organisation_id=number) if number is not None else None
    if name == "tag":
        if value == "none":
            return ~Q(pk__in=CommentTag.objects.values("comment_id"))
        return Q(desk_tags__tag_id=number) if number is not None else None
    if name == "assignee":
        if value == "me":
            return Q(desk_assignment__assignee_id=user.pk)
        if value == "none":
            return Q(desk_assignment__isnull=True) | Q(desk_assignment__assignee__isnull=True)
        return Q(desk_assignment__assignee_id=number) if number is not None else None
    if name == "cluster":
        if value == "any":
            return Q(desk_cluster__isnull=False)
        if value == "none":
            return Q(desk_cluster__isnull=True)
        return Q(desk_cluster__cluster_id=number) if number is not None else None
    return None


def _filtered(qs: QuerySet, filters: dict, user, *, skip: str = "") -> QuerySet:
    for name, value in filters.items():
        if name == skip or name not in FILTER_NAMES or value in (None, ""):
            continue
        condition = _filter_q(name, value, user)
        qs = qs.none() if condition is None else qs.filter(condition)
    return qs


def desk_comments(*, version: DraftVersion, user) -> QuerySet:
    """The first comments of the version's threads in the record ``user`` may read."""
    return Comment.objects.filter(version=version, parent__isnull=True).filter(
        comment_record_filter(user, version.draft)
    )


def filters_from(query) -> dict:
    return {name: query.get(name, "") for name in FILTER_NAMES if query.get(name)}


@dataclass
class Facet:
    name: str
    label: str
    options: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count


def _person(first: str | None, last: str | None, display: str | None, username: str) -> str:
    return display or " ".join(p for p in (first, last) if p) or username


def desk_facets(*, version: DraftVersion, user, filters: dict) -> list[Facet]:
    """Each filter's options with counts, one ``GROUP BY`` query per filter.

    A facet counts the comments matching every *other* active filter, so each
    number says how many comments choosing that option would show.
    """
    base = desk_comments(version=version, user=user)

    def counts(name: str, *fields: str):
        # A plain COUNT, not COUNT(DISTINCT) (which sorts every matching row): no join here
        # repeats a comment within a group. The reader's rule and the filters are on the
        # comment's own columns or on one-to-one rows (disposition, assignment, cluster
        # membership); a tag filter picks one tag, and a comment has each tag once
        # (``desk_comment_tag_once``), so grouping by tag counts each comment once per tag.
        rows = (
            _filtered(base, filters, user, skip=name)
            .values(*fields)
            .annotate(n=Count("pk"))
            .order_by()
        )
        return list(rows)

    facets = []
    assigned = Facet("assignee", _("Assigned to"))
    unassigned = 0
    people = []
    for row in counts(
        "assignee",
        "desk_assignment__assignee_id",
        "desk_assignment__assignee__display_name",
        "desk_assignment__assignee__first_name",
        "desk_assignment__assignee__last_name",
        "desk_assignment__assignee__username",
    ):
        if row["desk_assignment__assignee_id"] is None:
            unassigned += row["n"]
            continue
        name = _person(
            row["desk_assignment__assignee__first_name"],
            row["desk_assignment__assignee__last_name"],
            row["desk_assignment__assignee__display_name"],
            row["desk_assignment__assignee__username"],
        )
        is_me = row["desk_assignment__assignee_id"] == user.pk
        people.append(
            (
                "me" if is_me else str(row["desk_assignment__assignee_id"]),
                _("Me (%(name)s)") % {"name": name} if is_me else name,
                row["n"],
            )
        )
    people.sort(key=lambda option: (option[0] != "me", option[1].lower()))
    assigned.options = [*people, ("none", _("Nobody yet"), unassigned)]
    facets.append(assigned)

    tags = Facet("tag", _("Tag"))
    untagged = 0
    for row in counts("tag", "desk_tags__tag_id", "desk_tags__tag__name"):
        if row["desk_tags__tag_id"] is None:
            untagged = row["n"]
        else:
            tags.options.append(
                (str(row["desk_tags__tag_id"]), row["desk_tags__tag__name"], row["n"])
            )
    tags.options.sort(key=lambda option: option[1].lower())
    tags.options.append(("none", _("No tag"), untagged))
    facets.append(tags)

    in_cluster = _filtered(base, filters, user, skip="cluster").aggregate(
        any=Count("pk", filter=Q(desk_cluster__isnull=False)),
        none=Count("pk", filter=Q(desk_cluster__isnull=True)),
    )
    facets.append(
        Facet(
            "cluster",
            _("Similar comments"),
            [
                ("any", _("In a cluster (campaign)"), in_cluster["any"]),
                ("none", _("Not in a cluster"), in_cluster["none"]),
            ],
        )
    )

    by_status = {
        row["disposition__status"]: row["n"] for row in counts("disposition", "disposition__status")
    }
    facets.append(
        Facet(
            "disposition",
            _("Disposition"),
            [(s.value, str(s.label), by_status.get(s.value, 0)) for s in Disposition.Status],
        )
    )

    articles = Facet("article", _("Article"))
    for row in sorted(
        counts(
            "article",
            "provision__stable_id",
            "provision__kind",
            "provision__number",
            "provision__position",
        ),
        # The whole draft (no provision) first, then document order.
        key=lambda r: -1 if r["provision__position"] is None else r["provision__position"],
    ):
        if row["provision__stable_id"] is None:
            articles.options.append((WHOLE_DRAFT, str(WHOLE_DRAFT_LABEL), row["n"]))
            continue
        label = Provision.label_of(row["provision__kind"], row["provision__number"])
        articles.options.append((row["provision__stable_id"], label, row["n"]))
    facets.append(articles)

    by_kind = {row["kind"]: row["n"] for row in counts("kind", "kind")}
    facets.append(
        Facet(
            "kind",
            _("Kind of comment"),
            [(k.value, str(k.label), by_kind[k.value]) for k in Comment.Kind if k.value in by_kind],
        )
    )

    by_org_kind = {
        row["organisation__kind"]: row["n"]
        for row in counts("organisation_kind", "organisation__kind")
    }
    facets.append(
        Facet(
            "organisation_kind",
            _("Kind of organisation"),
            sorted(
                (
                    (k.value, str(k.label), by_org_kind[k.value])
                    for k in Organisation.Kind
                    if k.value in by_org_kind
                ),
                key=lambda option: option[1].lower(),
            )
            # People who speak for themselves (no organisation) come last.
            + (
                [(INDIVIDUAL_KIND, str(INDIVIDUAL_LABEL), by_org_kind[None])]
                if None in by_org_kind
                else []
            ),
        )
    )

    organisations = Facet("organisation", _("Organisation"))
    for row in counts(
        "organisation", "organisation_id", "organisation__name_en", "organisation__name_km"
    ):
        if row["organisation_id"] is None:
            continue  # individuals: the "Kind of organisation" facet counts them
        name = Organisation.name_of(row["organisation__name_en"], row["organisation__name_km"])
        organisations.options.append((str(row["organisation_id"]), name, row["n"]))
    organisations.options.sort(key=lambda option: option[1].lower())
    facets.append(organisations)
    return facets


class _InPage(In):
    """``pk IN (one page of ids)``, written ``= ANY(ARRAY(...))`` on PostgreSQL.

    There ``IN`` lets the planner join every comment of the database (11 tables) before
    keeping the 25 of the page; ``ARRAY`` makes it take the page's ids first, then look
    those rows up. Same rows, a quarter of the time at 20,000 comments.
    """

    def get_rhs_op(self, connection, rhs):
        if connection.vendor == "postgresql":
            return f"= ANY(ARRAY{rhs})"
        return super().get_rhs_op(connection, rhs)


ORDER = ("provision__position", "created_at", "pk")  # document order, then as posted


def desk_matching(*, version: DraftVersion, user, filters: dict) -> int:
    """How many comments the filters match (the pages' total)."""
    return _filtered(desk_comments(version=version, user=user), filters, user).count()


def desk_page(
    *,
    version: DraftVersion,
    user,
    filters: dict,
    page: str | int | None,
    matching: int | None = None,
):
    """One page of the desk's comments, in document order, with what each row shows.

    The page's ids are chosen (sorted and cut) joining only the provision, for its
    position; only the page's rows are then read with all they show, in the same query.
    ``matching``, when the caller knows it (``desk_matching``, kept with the facet
    counts), spares counting the matches again.
    """
    notes = can(user, "desk.notes", version.draft)
    ids = (
        _filtered(desk_comments(version=version, user=user), filters, user)
        .order_by(*ORDER)
        .values("pk")
    )
    paginator = Paginator(ids, PER_PAGE)
    if matching is not None:
        paginator.count = matching  # a cached_property: set, it is not counted again
    page_obj = paginator.get_page(page)
    qs = (
        Comment.objects.filter(_InPage(F("pk"), page_obj.object_list))
        .select_related(
            "organisation",
            "provision",
            "author",
            "disposition",
            "disposition__responded_by",
            "disposition__applied_in_version",
            "desk_assignment__assignee",
            "desk_cluster__cluster",
        )
        .prefetch_related(
            Prefetch(
                "desk_tags", queryset=CommentTag.objects.select_related("tag").order_by("tag__name")
            )
        )
        .order_by(*ORDER)
    )
    if notes:
        qs = qs.prefetch_related(
            Prefetch("desk_notes", queryset=InternalNote.objects.select_related("author"))
        )
    rows = list(qs) if paginator.count else []  # nothing matches: no page to read
    checks = passage_checks(rows)
    for comment in rows:
        comment.version = version
        comment.passage_check = checks.get(comment.pk)
        # Read the one-to-one rows once here. A missing one raises on every access, and the
        # template engine answers that by listing the comment's attributes (``dir``), per row.
        assignment = getattr(comment, "desk_assignment", None)
        comment.assignee = assignment.assignee if assignment is not None else None
        comment.cluster_membership = getattr(comment, "desk_cluster", None)
    return page_obj, rows


def passage_checks(comments: list[Comment]) -> dict[int, PassageCheck]:
    """Each comment's check in the latest later version, for the comments on the page (one query)."""
    latest: dict[int, PassageCheck] = {}
    for check in (
        PassageCheck.objects.filter(comment__in=[c.pk for c in comments])
        .select_related("version")
        .order_by("comment_id", "version__number")
    ):
        latest[check.comment_id] = check
    return latest


def drafting_team(draft: Draft) -> list:
    """People a comment of ``draft`` can be assigned to: active drafters of its drafting organisations."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=Membership.Role.DRAFTER,
            memberships__organisation_id__in=drafting_org_ids(draft),
        )
        .distinct()
        .order_by("display_name", "username")
    )


def draft_tags(draft: Draft) -> list[Tag]:
    return list(
        Tag.objects.filter(draft=draft).annotate(uses=Count("comment_tags")).order_by("name")
    )


def desk_comment(*, draft: Draft, comment_id: int, user) -> Comment | None:
    """One first comment of a thread on ``draft``, as the desk shows it, or None."""
    comment = (
        Comment.objects.filter(pk=comment_id, version__draft=draft, parent__isnull=True)
        .filter(comment_record_filter(user, draft))
        .select_related(
            "version",
            "provision",
            "organisation",
            "author",
            "disposition",
            "disposition__responded_by",
            "desk_assignment__assignee",
            "desk_assignment__assigned_by",
            "desk_cluster__cluster",
        )
        .prefetch_related(
            Prefetch(
                "desk_tags", queryset=CommentTag.objects.select_related("tag").order_by("tag__name")
            )
        )
        .first()
    )
    if comment is not None:
        comment.version.draft = draft
    return comment


def internal_notes(*, comment: Comment, user) -> list[InternalNote]:
    """The drafting team's notes on a comment, oldest first; refused to anyone else."""
    ensure_can(user, "desk.notes", comment.version.draft)
    return list(InternalNote.objects.filter(comment=comment).select_related("author"))


def assignment_history(comment: Comment) -> list:
    return list(
        Assignment.history.filter(comment_id=comment.pk)
        .select_related("assignee", "history_user")
        .order_by("-history_date")[:20]
    )


# --- clusters ---------------------------------------------------------------------------


def version_clusters(*, version: DraftVersion, user, page) -> tuple:
    """The version's clusters, largest first, with their representative and answered counts."""
    record = comment_record_filter(user, version.draft)
    visible = Comment.objects.filter(record).values("pk")
    clusters = (
        Cluster.objects.filter(version=version)
        .select_related(
            "representative",
            "representative__organisation",
            "representative__author",
            "representative__provision",
        )
        .annotate(
            pending=Count(
                "members",
                filter=Q(members__comment__disposition__status=Disposition.Status.PENDING),
            )
        )
        .filter(representative__in=visible)
        .order_by("-size", "pk")
    )
    page_obj = Paginator(clusters, PER_PAGE).get_page(page)
    return page_obj, list(page_obj.object_list)


def cluster_for(*, version: DraftVersion, cluster_id: int) -> Cluster | None:
    cluster = (
        Cluster.objects.filter(pk=cluster_id, version=version)
        .select_related(
            "representative",
            "representative__organisation",
            "representative__author",
            "representative__provision",
        )
        .first()
    )
    if cluster is not None:
        cluster.version = version
    return cluster


@dataclass
class MemberRow:
    comment: Comment
    added: list[str]
    removed: list[str]


def differing_words(representative: str, text: str) -> tuple[list[str], list[str]]:
    """Words a member adds to and leaves out of the representative letter (ICU word boundaries)."""
    language = "km" if any("\u1780" <= c <= "\u17ff" for c in representative + text) else "en"
    added: list[str] = []
    removed: list[str] = []
    for op, run in word_diff(representative, text, language):
        words = tokens(run)
        if op == INSERT:
            added.extend(words)
        elif op == DELETE:
            removed.extend(words)
    return added, removed


def cluster_members(*, cluster: Cluster, user, page) -> tuple:
    """One page of a cluster's members (those ``user`` may read), each with its differing words."""
    members = (
        Comment.objects.filter(desk_cluster__cluster=cluster)
        .filter(comment_record_filter(user, cluster.version.draft))
        .select_related("organisation", "author", "disposition", "desk_assignment__assignee")
        .order_by("pk")
    )
    page_obj = Paginator(members, PER_PAGE).get_page(page)
    base = cluster.representative.body
    rows = []
    for comment in page_obj.object_list:
        added, removed = differing_words(base, comment.body)
        rows.append(MemberRow(comment, added, removed))
    return page_obj, rows


def cluster_statuses(cluster: Cluster) -> dict[str, int]:
    """How the cluster's members are answered now, by disposition status (one query)."""
    return dict(
        Comment.objects.filter(desk_cluster__cluster=cluster)
        .values_list("disposition__status")
        .annotate(n=Count("pk"))
        .order_by()
    )


def tags_by_comment(version: DraftVersion) -> dict[int, str]:
    """The version's comments' tags, joined with "; " in name order (one query), for the exports.

    Keyed by comment id; an export looks up only the rows its reader may see.
    """
    out: dict[int, list[str]] = {}
    for comment_id, name in (
        CommentTag.objects.filter(comment__version=version)
        .order_by("tag__name")
        .values_list("comment_id", "tag__name")
    ):
        out.setdefault(comment_id, []).append(name)
    return {comment_id: "; ".join(names) for comment_id, names in out.items()}


# --- groupings others read (comments.groupings) ----------------------------------


def _tag_members(comments: QuerySet):
    return (
        CommentTag.objects.filter(comment__in=comments.values("pk"))
        .order_by("comment_id", "tag__name")
        .values_list("comment_id", "tag__name")
    )


def _campaign_members(comments: QuerySet):
    """Comments in a cluster of two or more; the label is the cluster's number."""
    return (
        ClusterMember.objects.filter(comment__in=comments.values("pk"), cluster__size__gt=1)
        .order_by("comment_id")
        .values_list("comment_id", "cluster_id")
    )


def register_groupings() -> None:
    """Let apps beside the desk count its tags and campaigns (the packets' statistics)."""
    groupings.register(
        groupings.Grouping(key="tags", title=lambda: _("Tags"), members=_tag_members, internal=True)
    )
    groupings.register(
        groupings.Grouping(
            key="campaigns",
            title=lambda: _("Campaigns of similar comments"),
            members=_campaign_members,
        )
    )

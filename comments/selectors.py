"""Reads on comments, shaped so a page runs a fixed number of queries.

Every list starts from ``visible_comments`` (the ``comment.view`` rule as a
query, from ``stakeholders.policies``). Threads are paged by their first
comment; the replies of the threads on a page come in one more query, sorted
by ``thread_path``, and the tree is built in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from drafts.models import Draft, DraftVersion, Provision
from stakeholders.models import Organisation
from stakeholders.policies import actor_for, can, comment_visibility_filter

from .models import Comment, Disposition, Endorsement, PassageCheck

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "endorsed": ("-endorsement_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class CommentFilters:
    """What a reader asked to see: all optional; unknown values are ignored."""

    organisation_kind: str = ""
    kind: str = ""
    disposition: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_data(cls, data) -> CommentFilters:
        def pick(name, choices):
            value = (data.get(name) or "").strip()
            return value if value in choices else ""

        sort = (data.get("sort") or "").strip()
        return cls(
            organisation_kind=pick("organisation_kind", Organisation.Kind.values),
            kind=pick("kind", Comment.Kind.values),
            disposition=pick("disposition", Disposition.Status.values),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.organisation_kind or self.kind or self.disposition)

    def as_query(self) -> dict[str, str]:
        values = {
            "organisation_kind": self.organisation_kind,
            "kind": self.kind,
            "disposition": self.disposition,
        }
        if self.sort != DEFAULT_SORT:
            values["sort"] = self.sort
        return {k: v for k, v in values.items() if v}


@dataclass
class Node:
    """One comment in a thread, with what the reader may do with it."""

    comment: Comment
    children: list[Node] = field(default_factory=list)
    can_reply: bool = False
    can_edit: bool = False
    can_withdraw: bool = False
    can_endorse: bool = False
    has_endorsed: bool = False
    can_report: bool = False
    can_moderate: bool = False
    shows_text: bool = True
    edit_minutes_left: int = 0

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def endorsements(self) -> list[Endorsement]:
        return self.comment.active_endorsements

    @property
    def endorsement_count(self) -> int:
        return len(self.comment.active_endorsements)

    @property
    def disposition(self) -> Disposition | None:
        """The decision on a first comment (replies have none)."""
        if self.comment.parent_id is not None:
            return None
        try:
            return self.comment.disposition
        except Disposition.DoesNotExist:
            return None

    @property
    def passage_check(self) -> PassageCheck | None:
        """Where the quoted passage (or the provision) stands in the latest later version."""
        checks = getattr(self.comment, "later_checks", None)
        return checks[-1] if checks else None

    @property
    def proposed_diff(self) -> list[tuple[str, str]]:
        return amendment_diff(self.comment) if self.comment.proposed_text else []

    @property
    def reply_count(self) -> int:
        return sum(1 + child.reply_count for child in self.children)


def text_language(text: str) -> str:
    """ "km" when the text contains Khmer letters, else "en" (for word segmentation)."""
    return "km" if any("\u1780" <= ch <= "\u17ff" for ch in text or "") else "en"


@lru_cache(maxsize=4096)
def _cached_diff(old: str, new: str, language: str) -> tuple[tuple[str, str], ...]:
    from drafts.redline import word_diff

    return tuple(word_diff(old, new, language))


def proposal_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word diff from an article's text to a proposed text, segmented for the proposal's script.

    Both texts are fixed once posted (an edit makes a new pair), so the diff is
    remembered per process: a long thread page does not re-run difflib for
    every amendment on every request.
    """
    return list(_cached_diff(old, new, text_language(new)))


def amendment_diff(comment: Comment) -> list[tuple[str, str]]:
    """A proposed amendment against the article text it was made on, in the proposal's language."""
    provision = comment.provision
    if text_language(comment.proposed_text) == "km" and provision.text_km:
        old = provision.text_km
    else:
        old = comment.provision_text_at_posting or provision.text_en
    return proposal_diff(old, comment.proposed_text)


# --- base querysets -------------------------------------------------------------------


def visible_comments(*, user, version: DraftVersion) -> QuerySet[Comment]:
    """The comments on ``version`` that ``user`` may see (hidden ones included, as stubs)."""
    return Comment.objects.filter(version=version).filter(
        comment_visibility_filter(user, version.draft)
    )


def _shaped(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.select_related(
        "author", "organisation", "disposition", "provision"
    ).prefetch_related(
        Prefetch(
            "endorsements",
            queryset=Endorsement.objects.filter(withdrawn_at__isnull=True)
            .select_related("organisation")
            .order_by("created_at", "pk"),
            to_attr="active_endorsements",
        ),
        Prefetch(
            "passage_checks",
            queryset=PassageCheck.objects.select_related("version").order_by("version__number"),
            to_attr="later_checks",
        ),
    )


def _with_endorsement_count(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.annotate(
        endorsement_count=Count("endorsements", filter=Q(endorsements__withdrawn_at__isnull=True))
    )


def filtered_threads(
    *, user, version: DraftVersion, filters: CommentFilters, provision: Provision | None = None
) -> QuerySet[Comment]:
    """First comments of the visible threads, filtered and sorted as asked."""
    roots = visible_comments(user=user, version=version).filter(parent__isnull=True)
    if provision is not None:
        roots = roots.filter(provision=provision)
    if filters.organisation_kind:
        roots = roots.filter(organisation__kind=filters.organisation_kind)
    if filters.kind:
        roots = roots.filter(kind=filters.kind)
    if filters.disposition:
        roots = roots.filter(disposition__status=filters.disposition)
    if filters.sort == "endorsed":
        roots = _with_endorsement_count(roots)
    return roots.order_by(*SORTS[filters.sort])


# --- counts ---------------------------------------------------------------------------


def counts_by_provision(*, user, version: DraftVersion) -> dict[int, int]:
    """Visible comments (replies included) per provision of a version, in one query."""
    rows = (
        visible_comments(user=user, version=version)
        .order_by()
        .values("provision_id")
        .annotate(n=Count("pk"))
    )
    return {row["provision_id"]: row["n"] for row in rows}


def counts_by_draft(*, user, drafts) -> dict[int, int]:
    """Visible comments on each draft's versions, in one query."""
    rows = (
        Comment.objects.filter(version__draft__in=list(drafts))
        .filter(comment_visibility_filter(user))
        .order_by()
        .values("version__draft_id")
        .annotate(n=Count("pk"))
    )
    return {row["version__draft_id"]: row["n"] for row in rows}


def counts_by_version(*, user, versions) -> dict[int, int]:
    """Visible comments on each of the given versions, in one query."""
    rows = (
        Comment.objects.filter(version__in=list(versions))
        .filter(comment_visibility_filter(user))
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"))
    )
    return {row["version_id"]: row["n"] for row in rows}


def quotes_by_provision(
    *, user, version: DraftVersion, provision: Provision | None = None
) -> dict[int, list[tuple[int, str]]]:
    """The quoted passages of the visible, active comments, per provision, oldest first."""
    comments = visible_comments(user=user, version=version)
    if provision is not None:
        comments = comments.filter(provision=provision)
    rows = (
        comments.filter(state=Comment.State.ACTIVE)
        .exclude(quote_exact="")
        .order_by("created_at", "pk")
        .values_list("provision_id", "pk", "quote_exact")
    )
    quotes: dict[int, list[tuple[int, str]]] = {}
    for provision_id, pk, exact in rows:
        quotes.setdefault(provision_id, []).append((pk, exact))
    return quotes


# --- threads --------------------------------------------------------------------------


def _decorate(node: Node, *, user, acting_org_id) -> None:
    comment = node.comment
    node.can_reply = can(user, "comment.reply", comment)
    node.can_edit = can(user, "comment.edit", comment)
    node.can_withdraw = can(user, "comment.withdraw", comment)
    node.can_endorse = can(user, "comment.endorse", comment)
    node.has_endorsed = acting_org_id is not None and any(
        e.organisation_id == acting_org_id for e in comment.active_endorsements
    )
    node.can_report = can(user, "comment.report", comment)
    node.can_moderate = can(user, "comment.moderate", comment)
    node.shows_text = not comment.is_hidden or can(user, "comment.view_hidden", comment)
    if node.can_edit:
        window = timedelta(minutes=settings.PORTAL["COMMENT_EDIT_WINDOW_MINUTES"])
        left = comment.created_at + window - timezone.now()
        node.edit_minutes_left = max(1, int(left.total_seconds() // 60))


def build_forest(comments, *, user, version: DraftVersion) -> list[Node]:
    """Nest comments (sorted by thread_path) into trees; parents missing from the list are skipped.

    Every comment is given the one ``version`` instance (and its draft), so the
    permission rules read the draft's drafting organisations once, not per comment.
    """
    actor = actor_for(user)
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in comments:
        comment.version = version
        node = Node(comment=comment)
        _decorate(node, user=user, acting_org_id=actor.acting_org_id)
        nodes[comment.pk] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.children.append(node)
        elif comment.parent_id is None:
            roots.append(node)
    return roots


def _descendants(*, user, version: DraftVersion, root_ids: list[int]) -> list[Comment]:
    if not root_ids:
        return []
    return list(
        _shaped(visible_comments(user=user, version=version).filter(root_id__in=root_ids)).order_by(
            "thread_path"
        )
    )


@dataclass
class ThreadPage:
    page: Page
    threads: list[Node]

    @property
    def has_next(self) -> bool:
        return self.page.has_next()


def thread_page(
    *,
    user,
    version: DraftVersion,
    filters: CommentFilters,
    page_number=1,
    provision: Provision | None = None,
    per_page: int | None = None,
    root_id: int | None = None,
) -> ThreadPage:
    """One page of threads (first comments filtered and sorted; replies in thread order).

    Three queries whatever the number of comments: the count, the page of first
    comments, and all the replies of those threads; plus one for endorsements.
    """
    per_page = per_page or settings.PORTAL["COMMENTS_PER_PAGE"]
    roots_qs = filtered_threads(user=user, version=version, filters=filters, provision=provision)
    if root_id is not None:
        roots_qs = roots_qs.filter(pk=root_id)
    roots_qs = _shaped(roots_qs)
    paginator = Paginator(roots_qs, per_page)
    page = paginator.get_page(page_number)
    roots = list(page.object_list)
    replies = _descendants(user=user, version=version, root_ids=[c.pk for c in roots])
    by_root: dict[int, list[Comment]] = {}
    for reply in replies:
        by_root.setdefault(reply.root_id, []).append(reply)
    ordered = []
    for root in roots:
        ordered.append(root)
        ordered.extend(by_root.get(root.pk, []))
    return ThreadPage(page=page, threads=build_forest(ordered, user=user, version=version))


def subtree(*, user, comment: Comment) -> Node | None:
    """A comment and its visible replies, as one node (for re-rendering after an action)."""
    version = comment.version
    comments = list(
        _shaped(
            visible_comments(user=user, version=version).filter(
                Q(pk=comment.pk) | Q(thread_path__startswith=comment.thread_path + ".")
            )
        ).order_by("thread_path")
    )
    if not comments or comments[0].pk != comment.pk:
        return None
    actor = actor_for(user)
    nodes: dict[int, Node] = {}
    top = None
    for item in comments:
        item.version = version
        node = Node(comment=item)
        _decorate(node, user=user, acting_org_id=actor.acting_org_id)
        nodes[item.pk] = node
        if item.pk == comment.pk:
            top = node
        elif item.parent_id in nodes:
            nodes[item.parent_id].children.append(node)
    return top


def visible_comment(*, user, pk: int) -> Comment | None:
    """One comment, if the user may see it, with its version and draft loaded."""
    comment = (
        Comment.objects.select_related("version__draft", "provision", "organisation", "author")
        .filter(pk=pk)
        .first()
    )
    if comment is None:
        return None
    if not can(user, "comment.view", comment):
        return None
    return comment


# --- drafts and versions ----------------------------------------------------------------


def readable_versions(*, user, draft: Draft) -> list[DraftVersion]:
    """The versions of a draft this user may read, oldest first."""
    readable = []
    for version in draft.versions.all().order_by("number"):
        version.draft = draft  # one draft instance: the rules cache its drafting organisations
        if can(user, "version.view", version):
            readable.append(version)
    return readable


def current_version(versions: list[DraftVersion]) -> DraftVersion | None:
    """The latest published version; the working one only when nothing is published yet."""
    published = [v for v in versions if v.status != DraftVersion.Status.WORKING]
    if published:
        return published[-1]
    return versions[-1] if versions else None


def acting_organisation(user) -> Organisation | None:
    actor = actor_for(user)
    if actor.acting_org_id is None:
        return None
    if getattr(user, "active_organisation_id", None) == actor.acting_org_id:
        return user.active_organisation
    return Organisation.objects.filter(pk=actor.acting_org_id).first()


# The amendment readers live in services for now; the desk reads them from here.
from .services import amendment_base_text, amendment_language  # noqa: E402, F401

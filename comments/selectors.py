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
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from drafts.models import DraftVersion, Provision
from drafts.reading import EarlierQuote
from drafts.redline import word_diff
from stakeholders.models import Organisation
from stakeholders.policies import actor_for, can, comment_visibility_filter

from .models import (
    INDIVIDUAL_KIND,
    Attachment,
    Comment,
    CommentDraft,
    Disposition,
    Endorsement,
    PassageCheck,
)

# The one set of sort names, for the thread pages and the API alike. "thread" is
# document order (threads as they were started, replies under their comment).
SORTS = {
    "thread": ("thread_path", "pk"),
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "most_endorsed": ("-endorsement_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"
# Links written before the names were unified keep working.
SORT_ALIASES = {"endorsed": "most_endorsed"}


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
        sort = SORT_ALIASES.get(sort, sort)
        return cls(
            organisation_kind=pick(
                "organisation_kind", [*Organisation.Kind.values, INDIVIDUAL_KIND, "organisations"]
            ),
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
    can_view_history: bool = False
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


# --- amendments -----------------------------------------------------------------------
# One rule for the language of a proposed amendment, used by the thread page, the
# review desk, applying it and the packet, so all of them diff the same two texts.


def is_mostly_khmer(text: str) -> bool:
    khmer = sum(1 for ch in text if "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return khmer > latin


def amendment_language(comment: Comment) -> str:
    """The language of an amendment: the quoted passage's, else the script most of it is in.

    A Khmer amendment that borrows an English term is still Khmer; an amendment
    made on a passage quoted in English is English even if it cites a Khmer word.
    """
    if comment.quote_language in ("en", "km"):
        return comment.quote_language
    return "km" if is_mostly_khmer(comment.proposed_text) else "en"


def amendment_base_text(comment: Comment, language: str) -> str:
    """The article text the commenter saw, in ``language``, and proposed to change."""
    if language == "en" and comment.provision_text_at_posting:
        return comment.provision_text_at_posting
    return comment.provision.text_in(language) if language == "km" else comment.provision.text_en


@lru_cache(maxsize=4096)
def _cached_diff(old: str, new: str, language: str) -> tuple[tuple[str, str], ...]:
    return tuple(word_diff(old, new, language))


def proposal_diff(old: str, new: str, language: str) -> list[tuple[str, str]]:
    """Word diff from an article's text to a proposed text, segmented for ``language``.

    Both texts are fixed once posted (an edit makes a new pair), so the diff is
    remembered per process: a long thread page does not re-run difflib for
    every amendment on every request.
    """
    return list(_cached_diff(old, new, language))


def amendment_diff(comment: Comment) -> list[tuple[str, str]]:
    """A proposed amendment against the article text it was made on, in its language."""
    language = amendment_language(comment)
    return proposal_diff(amendment_base_text(comment, language), comment.proposed_text, language)


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
        attachments_prefetch(),
    )


def with_endorsement_count(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.annotate(
        endorsement_count=Count("endorsements", filter=Q(endorsements__withdrawn_at__isnull=True))
    )


def filtered_threads(
    *,
    user,
    version: DraftVersion,
    filters: CommentFilters,
    provision: Provision | None = None,
    general: bool = False,
) -> QuerySet[Comment]:
    """First comments of the visible threads, filtered and sorted as asked.

    ``provision`` keeps the threads on it; ``general`` those on the whole draft.
    """
    roots = visible_comments(user=user, version=version).filter(parent__isnull=True)
    if provision is not None:
        roots = roots.filter(provision=provision)
    if general:
        roots = roots.filter(provision__isnull=True)
    if filters.organisation_kind == INDIVIDUAL_KIND:
        roots = roots.filter(organisation__isnull=True)
    elif filters.organisation_kind == "organisations":
        roots = roots.filter(organisation__isnull=False)
    elif filters.organisation_kind:
        roots = roots.filter(organisation__kind=filters.organisation_kind)
    if filters.kind:
        roots = roots.filter(kind=filters.kind)
    if filters.disposition:
        roots = roots.filter(disposition__status=filters.disposition)
    if filters.sort == "most_endorsed":
        roots = with_endorsement_count(roots)
    return roots.order_by(*SORTS[filters.sort])


def addressable_comments(
    *, user, provision: Provision, query: str = "", limit: int = 50
) -> QuerySet[Comment]:
    """The comments a drafter's change of ``provision`` may say it addresses, newest first.

    First comments of threads on the same article (by stable id) in earlier
    versions of the draft, as ``user`` may see them. ``query`` keeps those whose
    every word is in the body or the organisation's name, or is the ``#id``.
    One query.
    """
    version = provision.version
    queryset = (
        Comment.objects.filter(
            version__draft_id=version.draft_id,
            version__number__lt=version.number,
            provision__stable_id=provision.stable_id,
            parent__isnull=True,
        )
        .filter(comment_visibility_filter(user, version.draft))
        .select_related(
            "organisation",
            "author",
            "version",
            "disposition",
            "disposition__addressed_in_version",
        )
    )
    for word in query.split()[:10]:
        match = (
            Q(body__icontains=word)
            | Q(organisation__name_en__icontains=word)
            | Q(organisation__name_km__icontains=word)
        )
        if word.lstrip("#").isdigit() and len(word) <= 18:
            match |= Q(pk=int(word.lstrip("#")))
        queryset = queryset.filter(match)
    return queryset.order_by("-version__number", "-created_at", "-pk")[:limit]


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


def earlier_quotes_by_provision(
    *, user, version: DraftVersion, provision: Provision | None = None
) -> dict[str, list[EarlierQuote]]:
    """Passages quoted on earlier versions and found again in ``version``, per stable id.

    Read from the passage checks made when ``version`` was published, for the
    active comments ``user`` may see (the same rule as every comment list), oldest
    first; a passage that was not found again (removed, or nothing similar left)
    is not listed. One query.
    """
    checks = (
        PassageCheck.objects.filter(version=version, found_start__isnull=False)
        .exclude(result=PassageCheck.Result.REMOVED)
        .filter(comment__state=Comment.State.ACTIVE)
        .filter(comment_visibility_filter(user, version.draft, prefix="comment__"))
    )
    if provision is not None:
        checks = checks.filter(comment__provision__stable_id=provision.stable_id)
    rows = checks.order_by("comment__created_at", "comment_id").values_list(
        "comment_id",
        "comment__provision__stable_id",
        "comment__version__number",
        "comment__quote_language",
        "found_start",
        "found_end",
        "found_text",
        "result",
    )
    shown_as = {PassageCheck.Result.MOVED: "moved", PassageCheck.Result.CHANGED: "changed"}
    quotes: dict[str, list[EarlierQuote]] = {}
    for pk, stable_id, number, language, start, end, found, result in rows:
        quotes.setdefault(stable_id, []).append(
            EarlierQuote(
                comment_id=pk,
                start=start,
                end=end,
                found=found,
                version_number=number,
                language=language or "en",
                how=shown_as.get(result, ""),
            )
        )
    return quotes


# --- threads --------------------------------------------------------------------------


def _decorate(node: Node, *, user, acting_org_id, actions: bool = True) -> None:
    comment = node.comment
    node.can_view_history = comment.is_edited and can(user, "comment.view_history", comment)
    node.shows_text = not comment.is_hidden or can(user, "comment.view_hidden", comment)
    if not actions:
        return
    node.can_reply = can(user, "comment.reply", comment)
    node.can_edit = can(user, "comment.edit", comment)
    node.can_withdraw = can(user, "comment.withdraw", comment)
    node.can_endorse = can(user, "comment.endorse", comment)
    node.has_endorsed = acting_org_id is not None and any(
        e.organisation_id == acting_org_id for e in comment.active_endorsements
    )
    node.can_report = can(user, "comment.report", comment)
    node.can_moderate = can(user, "comment.moderate", comment)
    if node.can_edit:
        window = timedelta(minutes=settings.PORTAL["COMMENT_EDIT_WINDOW_MINUTES"])
        left = comment.created_at + window - timezone.now()
        node.edit_minutes_left = max(1, int(left.total_seconds() // 60))


def nest(tops: list[Comment], replies: list[Comment]) -> list[Comment]:
    """The one thread builder: hang each reply under its nearest visible ancestor.

    ``tops`` are the comments the threads start from (first comments, or the top
    of a subtree); ``replies`` are the visible replies below them in
    ``thread_path`` order. A reply whose parent the reader may not see hangs
    under the closest ancestor they may see, so a public answer is never lost
    because the comment between was restricted. Each comment gets
    ``visible_replies``; the tops are returned in their order.
    """
    by_pk = {c.pk: c for c in tops}
    for comment in (*tops, *replies):
        comment.visible_replies = []
    for reply in replies:
        ancestors = [int(segment) for segment in reply.thread_path.split(".")[:-1]]
        parent = next((by_pk[pk] for pk in reversed(ancestors) if pk in by_pk), None)
        if parent is not None:
            parent.visible_replies.append(reply)
            by_pk[reply.pk] = reply
    return list(tops)


def build_forest(
    tops: list[Comment],
    replies: list[Comment],
    *,
    user,
    version: DraftVersion,
    actions: bool = True,
) -> list[Node]:
    """Threads as nodes carrying what ``user`` may do with each comment.

    Every comment is given the one ``version`` instance (and its draft), so the
    permission rules read the draft's drafting organisations once, not per comment.
    Without ``actions`` only what the thread shows is decided (the hidden words,
    the link to earlier wordings), not the per-viewer action links: the cached
    thread fragments (``comments.fragments``) lay those over afterwards.
    """
    acting_org_id = actor_for(user).acting_org_id

    def node_for(comment: Comment) -> Node:
        comment.version = version
        node = Node(comment=comment, children=[node_for(c) for c in comment.visible_replies])
        _decorate(node, user=user, acting_org_id=acting_org_id, actions=actions)
        return node

    return [node_for(top) for top in nest(tops, replies)]


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
    threads: list

    @property
    def has_next(self) -> bool:
        return self.page.has_next()

    @property
    def comment_ids(self) -> set[int]:
        """Every comment shown on the page, replies included."""
        found: set[int] = set()

        def collect(nodes):
            for node in nodes:
                found.add(node.pk)
                collect(node.children)

        collect(self.threads)
        return found


def thread_page(
    *,
    user,
    version: DraftVersion,
    filters: CommentFilters,
    page_number=1,
    provision: Provision | None = None,
    per_page: int | None = None,
    root_id: int | None = None,
    replies: bool = True,
    general: bool = False,
) -> ThreadPage:
    """One page of threads (first comments filtered and sorted; replies in thread order).

    Three queries whatever the number of comments: the count, the page of first
    comments, and all the replies of those threads; plus one for endorsements.
    Without ``replies``, only the count and the first comments (bare rows, in
    ``page.object_list``): the cached article page asks for the rest of the
    threads it has no fragment for (``thread_forest``).
    """
    per_page = per_page or settings.PORTAL["COMMENTS_PER_PAGE"]
    roots_qs = filtered_threads(
        user=user, version=version, filters=filters, provision=provision, general=general
    )
    if root_id is not None:
        roots_qs = roots_qs.filter(pk=root_id)
    if not replies:
        page = Paginator(roots_qs, per_page).get_page(page_number)
        page.object_list = list(page.object_list)
        return ThreadPage(page=page, threads=[])
    roots_qs = _shaped(roots_qs)
    paginator = Paginator(roots_qs, per_page)
    page = paginator.get_page(page_number)
    roots = list(page.object_list)
    replies = _descendants(user=user, version=version, root_ids=[c.pk for c in roots])
    return ThreadPage(page=page, threads=build_forest(roots, replies, user=user, version=version))


def thread_forest(*, user, version: DraftVersion, root_ids: list[int]) -> dict[int, Node]:
    """Whole threads by their first comment's id, as ``user`` may see them, without action links.

    For the cached thread fragments: the first comments and all their replies
    in one query (plus the prefetches), whatever the number of threads.
    """
    if not root_ids:
        return {}
    wanted = set(root_ids)
    comments = list(
        _shaped(
            visible_comments(user=user, version=version).filter(
                Q(pk__in=root_ids) | Q(root_id__in=root_ids)
            )
        ).order_by("thread_path")
    )
    tops = [c for c in comments if c.pk in wanted]
    replies = [c for c in comments if c.pk not in wanted]
    forest = build_forest(tops, replies, user=user, version=version, actions=False)
    return {node.pk: node for node in forest}


def thread_ties(*, user, root_ids: list[int]) -> dict[int, tuple[bool, frozenset[int]]]:
    """What ties ``user`` to each thread, for ``policies.thread_audience``: one query.

    For each first comment's id: whether the user wrote any comment of the thread
    (in any state), and which of the user's organisations its restricted comments
    speak for or were written in. Threads with neither are left out.
    """
    actor = actor_for(user)
    if not actor.is_authenticated or not root_ids:
        return {}
    ties = Q(author_id=actor.user_id)
    if actor.org_ids:
        ties |= Q(visibility="restricted") & (
            Q(organisation_id__in=actor.org_ids) | Q(thread_organisation_id__in=actor.org_ids)
        )
    rows = (
        Comment.objects.filter(Q(pk__in=root_ids) | Q(root_id__in=root_ids))
        .filter(ties)
        .values_list("pk", "root_id", "author_id", "organisation_id", "thread_organisation_id")
    )
    wrote: dict[int, bool] = {}
    orgs: dict[int, set[int]] = {}
    for pk, root, author_id, org_id, thread_org_id in rows:
        root = root or pk
        wrote[root] = wrote.get(root, False) or author_id == actor.user_id
        orgs.setdefault(root, set()).update(
            o for o in (org_id, thread_org_id) if o in actor.org_ids
        )
    return {root: (wrote.get(root, False), frozenset(orgs.get(root, ()))) for root in wrote}


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
    return build_forest(comments[:1], comments[1:], user=user, version=version)[0]


def posted_thread(*, user, comment: Comment, version: DraftVersion) -> Node:
    """A comment its author has just posted, as a thread of one, from the service's object.

    Nothing is read again: a new comment has no replies, endorsements or passage
    checks yet, and the service returned it with its disposition and files.
    """
    comment.active_endorsements = []
    comment.later_checks = []
    return build_forest([comment], [], user=user, version=version)[0]


@dataclass(frozen=True)
class Revision:
    """One wording of a comment, as it stood from ``since`` (its body, and proposed text)."""

    number: int
    since: object
    body: str
    proposed_text: str
    by_author: bool


def comment_revisions(comment: Comment) -> list[Revision]:
    """Every wording a comment has had, newest first, from its history (one query).

    Only changes of the words count (a withdrawal or a moderator's hiding is a
    change of state, shown elsewhere); the first is the comment as posted.
    """
    rows = comment.history.order_by("history_date", "history_id").values(
        "body", "proposed_text", "history_date", "history_user_id"
    )
    revisions: list[Revision] = []
    for row in rows:
        if revisions and (revisions[-1].body, revisions[-1].proposed_text) == (
            row["body"],
            row["proposed_text"],
        ):
            continue
        revisions.append(
            Revision(
                number=len(revisions) + 1,
                since=row["history_date"],
                body=row["body"],
                proposed_text=row["proposed_text"],
                by_author=row["history_user_id"] == comment.author_id,
            )
        )
    return revisions[::-1]


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


def own_drafts(*, user) -> list[CommentDraft]:
    """The private drafts of comments ``user`` is writing, newest first (only their own)."""
    if not user.is_authenticated:
        return []
    return list(
        CommentDraft.objects.filter(author=user)
        .select_related("version__draft", "provision")
        .defer("provision__text_en", "provision__text_km")
        .order_by("-updated_at")
    )


def own_draft(*, user, pk) -> CommentDraft | None:
    """One private draft, only for its author (``comment.draft``; anyone else: not found)."""
    if not user.is_authenticated:
        return None
    found = (
        CommentDraft.objects.select_related("version__draft", "provision")
        .filter(pk=pk, author=user)
        .first()
    )
    return found if found is not None and can(user, "comment.draft", found) else None


def comment_by_tracking_number(*, user, number: str) -> Comment | None:
    """The comment with this receipt number, for its author and the draft's drafters."""
    number = (number or "").strip().upper()
    if not number:
        return None
    comment = (
        Comment.objects.select_related("version__draft", "provision", "organisation", "author")
        .filter(tracking_number=number)
        .first()
    )
    if comment is None or not can(user, "comment.find_by_receipt", comment):
        return None
    return comment


# --- attachments --------------------------------------------------------------------------

# What a comment's list of files shows; the extracted text is read only by the preview.
ATTACHMENT_LIST_FIELDS = (
    "pk",
    "comment_id",
    "original_name",
    "content_type",
    "size",
    "active_content",
)


def attachments_prefetch() -> Prefetch:
    """A comment's files, in one query for a whole list, as ``comment.attachment_list``."""
    return Prefetch(
        "attachments",
        queryset=Attachment.objects.only(*ATTACHMENT_LIST_FIELDS).order_by("pk"),
        to_attr="attachment_list",
    )


def visible_attachment(*, user, pk: int) -> Attachment | None:
    """One attachment, if ``user`` may see its comment's words (``attachment.download``).

    An attachment of a comment the user may not see is not found, whatever its id.
    """
    attachment = (
        Attachment.objects.select_related("comment__version__draft")
        .filter(pk=pk)
        .filter(comment_visibility_filter(user, prefix="comment__"))
        .first()
    )
    if attachment is None or not can(user, "attachment.download", attachment):
        return None
    return attachment


# --- organisations ----------------------------------------------------------------------


def acting_organisation(user) -> Organisation | None:
    actor = actor_for(user)
    if actor.acting_org_id is None:
        return None
    if getattr(user, "active_organisation_id", None) == actor.acting_org_id:
        return user.active_organisation
    return Organisation.objects.filter(pk=actor.acting_org_id).first()


def organisation_public_comments(organisation) -> QuerySet[Comment]:
    """The public, active comments ``organisation`` made, newest first, as anyone may read them.

    The one door for an organisation's public record (its page and its feed):
    the permission module's filter for an anonymous reader, on versions an
    anonymous reader may open, hidden and withdrawn comments left out.
    """
    anonymous = AnonymousUser()
    return (
        Comment.objects.filter(organisation=organisation, state=Comment.State.ACTIVE)
        .filter(comment_visibility_filter(anonymous))
        .filter(version__in=DraftVersion.objects.readable_by(anonymous))
        .select_related("version__draft", "provision", "organisation", "author")
        .order_by("-created_at", "-pk")
    )

"""The article page's threads from a cache of HTML fragments, one per thread and audience.

Rendering a thread (``comments/_comment.html``, recursively) is most of the
article page's time. Each thread's HTML is kept in Django's cache under a key made of:

- the thread's revision token (``core.revisions``), which every service that
  changes what the thread shows touches through ``thread_touch``: a post in it,
  an edit, withdrawing, hiding, restoring, endorsing, a disposition, a passage
  check; and the ``PEOPLE`` token (names and verified marks beside the words);
- the language, the version and its state, the draft's slug, and
  ``TEMPLATE_VERSION`` (raise it whenever the thread templates change);
- the viewer's audience for that thread (``policies.thread_audience``): not the
  person, but the class of people who see exactly the same comments and words.

What differs between people of one audience, the action links (reply, edit and
its minutes, withdraw, report, endorse, hide) with the page's CSRF token, is
never in the cached HTML: each comment's actions are a marker there, replaced
per request. The rules are asked once per kind of comment
(``policies.comment_action_kind``), and the links of one kind are rendered once
and given each comment's id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import revisions
from stakeholders.policies import actor_for, can, comment_action_kind, thread_audience

from . import selectors
from .models import Comment

# Raise when _comment.html, or anything it includes or shows, changes.
TEMPLATE_VERSION = 1
# A bound on memory only (a fragment nobody reads for a day goes): freshness comes
# from the revision tokens, never from time.
FRAGMENT_TIMEOUT = 24 * 3600

_ACTIONS_MARKER = re.compile(r"<!--comment-actions:(\d+)-->")
# Stand-ins rendered into the links of one kind of comment, then replaced by each
# comment's own id and organisation: no comment or name can look like them.
_PK_STAND_IN = "987654321987654"
_ORG_STAND_IN = "ORGANISATIONNAMESTANDIN"


def thread_name(root_id: int) -> str:
    return f"comments:thread:{root_id}"


def thread_touch(comment: Comment) -> None:
    """Say that ``comment``'s thread changed: its cached fragments are not served again,
    nor the reading pages made from its version's comments (``revisions.version_comments``)."""
    revisions.touch(
        thread_name(comment.root_id or comment.pk), revisions.version_comments(comment.version_id)
    )


def threads_touch(root_ids, *, version_ids) -> None:
    """``thread_touch`` for many threads at once, on the versions ``version_ids``."""
    revisions.touch(
        *(thread_name(pk) for pk in set(root_ids)),
        *(revisions.version_comments(pk) for pk in set(version_ids)),
    )


@dataclass
class Facts:
    """What the action rules read of one comment, kept beside the cached HTML.

    Stands in for the comment when the rules are asked (same attribute names).
    """

    pk: int
    parent_id: int | None
    author_id: int
    thread_author_id: int | None
    organisation_id: int | None
    thread_organisation_id: int | None
    visibility: str
    state: str
    created_at: object
    endorsing_org_ids: tuple[int, ...]
    organisation_name: str
    version: object = None

    @property
    def is_hidden(self) -> bool:
        return self.state == Comment.State.HIDDEN

    def as_row(self) -> tuple:
        return (
            self.pk,
            self.parent_id,
            self.author_id,
            self.thread_author_id,
            self.organisation_id,
            self.thread_organisation_id,
            self.visibility,
            self.state,
            self.created_at,
            self.endorsing_org_ids,
            self.organisation_name,
        )


def _facts_of(node) -> list[tuple]:
    c = node.comment
    rows = [
        Facts(
            pk=c.pk,
            parent_id=c.parent_id,
            author_id=c.author_id,
            thread_author_id=c.thread_author_id,
            organisation_id=c.organisation_id,
            thread_organisation_id=c.thread_organisation_id,
            visibility=c.visibility,
            state=c.state,
            created_at=c.created_at,
            endorsing_org_ids=tuple(e.organisation_id for e in c.active_endorsements),
            organisation_name=c.organisation.name if c.organisation_id else "",
        ).as_row()
    ]
    for child in node.children:
        rows.extend(_facts_of(child))
    return rows


@dataclass
class RenderedThread:
    pk: int
    html: SafeString
    comment_ids: list[int]


@dataclass
class RenderedPage:
    """A page of threads as the article page shows them (see ``selectors.ThreadPage``)."""

    page: object
    threads: list[RenderedThread]

    @property
    def has_next(self) -> bool:
        return self.page.has_next()

    @property
    def comment_ids(self) -> set[int]:
        return {pk for thread in self.threads for pk in thread.comment_ids}


def _key(*, root, token: str, people: str, audience: str, version, draft) -> str:
    raw = ":".join(
        str(part)
        for part in (
            TEMPLATE_VERSION,
            get_language(),
            draft.slug,
            version.pk,
            version.status,
            root.pk,
            # With the id, so that a database restored or rolled back under a cache
            # that outlived it cannot take another thread for this one.
            root.created_at.isoformat(),
            token,
            people,
            audience,
        )
    )
    return "comments:fragment:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _render_fragment(node, *, user, version, draft) -> str:
    return get_template("comments/_comment.html").render(
        {
            "node": node,
            "user": user,
            "version": version,
            "draft": draft,
            "show_article": False,
            "notice": "",
            "error": "",
            "fragment": True,
        }
    )


def thread_page_html(
    request, *, version, draft, filters, page_number=1, provision=None, root_id=None
) -> RenderedPage:
    """One page of the article's threads, as HTML, from the cache where it can be."""
    user = request.user
    page = selectors.thread_page(
        user=user,
        version=version,
        filters=filters,
        page_number=page_number,
        provision=provision,
        root_id=root_id,
        replies=False,
    ).page
    roots = page.object_list
    root_ids = [root.pk for root in roots]
    tokens = revisions.current([revisions.PEOPLE, *(thread_name(pk) for pk in root_ids)])
    keys: dict[int, str] = {}
    entries: dict[int, dict] = {}
    if tokens is not None:
        ties = selectors.thread_ties(user=user, root_ids=root_ids)
        for root in roots:
            wrote, org_ids = ties.get(root.pk, (False, frozenset()))
            keys[root.pk] = _key(
                root=root,
                token=tokens[thread_name(root.pk)],
                people=tokens[revisions.PEOPLE],
                audience=thread_audience(
                    user, version.draft, wrote=wrote, restricted_org_ids=org_ids
                ),
                version=version,
                draft=draft,
            )
        found = revisions.cached(list(keys.values()), "thread fragments")
        if found is None:
            found, keys = {}, {}
        entries = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in root_ids if pk not in entries]
    if missing:
        fresh = {}
        forest = selectors.thread_forest(user=user, version=version, root_ids=missing)
        for pk, node in forest.items():
            entries[pk] = {
                "html": _render_fragment(node, user=user, version=version, draft=draft),
                "facts": _facts_of(node),
            }
            if pk in keys:
                fresh[keys[pk]] = entries[pk]
        revisions.store(fresh, timeout=FRAGMENT_TIMEOUT, what="thread fragments")
    overlay = ActionOverlay(request, version=version)
    threads = [
        RenderedThread(
            pk=pk,
            html=overlay.apply(entries[pk]),
            comment_ids=[row[0] for row in entries[pk]["facts"]],
        )
        for pk in root_ids
        if pk in entries  # a thread withdrawn from sight between the two queries
    ]
    return RenderedPage(page=page, threads=threads)


class ActionOverlay:
    """The viewer's action links on each comment, decided once per kind of comment."""

    def __init__(self, request, *, version):
        self.request = request
        self.user = request.user
        self.version = version
        self.actor = actor_for(self.user)
        self.window = timedelta(minutes=settings.PORTAL["COMMENT_EDIT_WINDOW_MINUTES"])
        self.now = timezone.now()
        self._decisions: dict[tuple, dict] = {}
        self._links: dict[tuple, str] = {}
        self._template = get_template("comments/_comment_actions.html")
        self._csrf_token = None

    def _decide(self, facts: Facts) -> dict:
        kind = comment_action_kind(self.user, facts)
        decided = self._decisions.get(kind)
        if decided is None:
            user = self.user
            decided = {
                "can_reply": can(user, "comment.reply", facts),
                "can_edit": can(user, "comment.edit", facts),
                "can_withdraw": can(user, "comment.withdraw", facts),
                "can_endorse": can(user, "comment.endorse", facts),
                "can_report": can(user, "comment.report", facts),
                "can_moderate": can(user, "comment.moderate", facts),
            }
            self._decisions[kind] = decided
        return decided

    def links_for(self, facts: Facts) -> str:
        decided = self._decide(facts)
        has_endorsed = (
            self.actor.acting_org_id is not None
            and self.actor.acting_org_id in facts.endorsing_org_ids
        )
        minutes = 0
        if decided["can_edit"]:
            left = facts.created_at + self.window - self.now
            minutes = max(1, int(left.total_seconds() // 60))
        shape = (tuple(decided.values()), has_endorsed, facts.is_hidden, minutes)
        links = self._links.get(shape)
        if links is None:
            if self._csrf_token is None:
                self._csrf_token = get_token(self.request)
            links = self._template.render(
                {
                    "node": SimpleNamespace(
                        **decided, has_endorsed=has_endorsed, edit_minutes_left=minutes
                    ),
                    "c": SimpleNamespace(
                        pk=_PK_STAND_IN,
                        is_hidden=facts.is_hidden,
                        organisation=SimpleNamespace(name=_ORG_STAND_IN),
                    ),
                    "csrf_token": self._csrf_token,
                }
            )
            self._links[shape] = links
        links = links.replace(_PK_STAND_IN, str(facts.pk))
        if _ORG_STAND_IN in links:
            links = links.replace(_ORG_STAND_IN, escape(facts.organisation_name))
        return links

    def apply(self, entry: dict) -> SafeString:
        by_pk = {}
        for row in entry["facts"]:
            facts = Facts(*row, version=self.version)
            by_pk[facts.pk] = facts
        html = _ACTIONS_MARKER.sub(lambda m: self.links_for(by_pk[int(m.group(1))]), entry["html"])
        return mark_safe(html)

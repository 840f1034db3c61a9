"""Reads of the public pages: the consultation hub, a round's report, feeds, the portal's pages.

Every list starts from the drafts app's readable versions and the policy's
comment filters (``comment_record_filter``), so a report, a feed or a count
never shows more than the same person would find on the reading pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from comments import selectors as comment_selectors
from comments.models import Comment, Disposition
from comments.trace import Trace, changes_from_comments
from drafts import selectors as draft_selectors
from drafts.models import Draft, DraftVersion, Provision
from drafts.reading import Status, consultation_status
from stakeholders.models import Organisation
from stakeholders.policies import can, comment_record_filter, comment_visibility_filter

from .models import OpenDataRelease, Page, RoundSummary

HUB_STATUSES = ("open", "upcoming", "closed")


# --- the hub of consultations ----------------------------------------------------


@dataclass
class Round:
    """One consultation round: a published version of a draft, and where it stands."""

    draft: Draft
    version: DraftVersion
    status: Status
    comment_count: int = 0


@dataclass
class Hub:
    rounds: dict[str, list[Round]]
    ministries: list[Organisation]
    status: str
    ministry: str

    @property
    def total(self) -> int:
        return sum(len(rounds) for rounds in self.rounds.values())


def consultation_hub(*, user, status: str = "", ministry: str = "", now=None) -> Hub:
    """Every published round ``user`` may read, open ones first, then upcoming, then closed.

    ``status`` (open, upcoming, closed) and ``ministry`` (a lead ministry's slug)
    narrow the list; unknown values are ignored. Four queries whatever the number
    of drafts and rounds.
    """
    now = now or timezone.now()
    status = status if status in HUB_STATUSES else ""
    drafts = draft_selectors.drafts_with_readable_versions(user)
    ministries = sorted({d.lead_ministry.pk: d.lead_ministry for d in drafts}.values(), key=str)
    if ministry not in {m.slug for m in ministries}:
        ministry = ""
    rounds: dict[str, list[Round]] = {code: [] for code in HUB_STATUSES}
    for draft in drafts:
        if ministry and draft.lead_ministry.slug != ministry:
            continue
        for version in draft.readable_versions:
            if version.status == DraftVersion.Status.WORKING:
                continue
            state = consultation_status(version, now)
            if status and state.code != status:
                continue
            rounds[state.code].append(Round(draft, version, state))
    every = [r for rows in rounds.values() for r in rows]
    counts = comment_selectors.counts_by_version(user=user, versions=[r.version for r in every])
    for r in every:
        r.comment_count = counts.get(r.version.pk, 0)
    rounds["open"].sort(key=lambda r: r.version.closes_at or now)
    rounds["upcoming"].sort(key=lambda r: r.version.opens_at or now)
    rounds["closed"].sort(key=lambda r: r.version.closes_at or now, reverse=True)
    return Hub(rounds=rounds, ministries=ministries, status=status, ministry=ministry)


# --- a round's report --------------------------------------------------------------


@dataclass
class KindRow:
    code: str
    label: str
    organisations: int
    people: int
    comments: int


@dataclass
class ProvisionRow:
    provision: Provision
    chapter: Provision | None
    comments: int


@dataclass
class Report:
    draft: Draft
    version: DraftVersion
    versions: list[DraftVersion]
    status: Status
    by_kind: list[KindRow]
    by_article: list[ProvisionRow]
    by_chapter: list[tuple[Provision | None, int]]
    by_disposition: list[tuple[str, str, int]]
    total_comments: int
    organisations: int
    people: int
    threads: int
    next_version: DraftVersion | None
    trace: Trace | None
    summary: RoundSummary | None
    charts: list[dict] = field(default_factory=list)


def _chapter_of(provision: Provision, by_pk: dict[int, Provision]) -> Provision | None:
    parent = by_pk.get(provision.parent_id)
    while parent is not None:
        if parent.kind == Provision.Kind.CHAPTER:
            return parent
        parent = by_pk.get(parent.parent_id)
    return None


def round_report(*, user, draft: Draft, versions: list[DraftVersion], version: DraftVersion):
    """What was heard in the round on ``version`` and what the ministry did, as ``user`` may see it.

    Counts come from the record ``user`` may read (``comment_record_filter``), less
    withdrawn comments: a participant who took a comment back is not counted as
    having said it. Changes are those of the next published version that
    comments are behind (``comments.trace``).
    """
    record = comment_record_filter(user, draft)
    rows = (
        Comment.objects.filter(version=version)
        .filter(record)
        .exclude(state=Comment.State.WITHDRAWN)
        .values_list(
            "organisation__kind",
            "organisation_id",
            "author_id",
            "provision_id",
            "parent_id",
            "disposition__status",
        )
    )
    organisations: dict[str, set[int]] = {}
    people: dict[str, set[int]] = {}
    comments_by_kind: Counter = Counter()
    by_provision: Counter = Counter()
    by_disposition: Counter = Counter()
    for kind, org_id, author_id, provision_id, parent_id, disposition in rows:
        organisations.setdefault(kind, set()).add(org_id)
        people.setdefault(kind, set()).add(author_id)
        comments_by_kind[kind] += 1
        by_provision[provision_id] += 1
        if parent_id is None:
            by_disposition[disposition or Disposition.Status.PENDING] += 1
    kind_labels = dict(Organisation.Kind.choices)
    by_kind = [
        KindRow(
            code=kind,
            label=str(kind_labels.get(kind, kind)),
            organisations=len(organisations[kind]),
            people=len(people[kind]),
            comments=n,
        )
        for kind, n in sorted(comments_by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    provisions = draft_selectors.provisions_for_reading(version)
    by_pk = {p.pk: p for p in provisions}
    by_article = []
    by_chapter: Counter = Counter()
    chapters: list[Provision | None] = [p for p in provisions if p.kind == Provision.Kind.CHAPTER]
    for provision in provisions:
        n = by_provision.get(provision.pk, 0)
        if provision.kind != Provision.Kind.ARTICLE and not n:
            continue
        chapter = _chapter_of(provision, by_pk)
        by_article.append(ProvisionRow(provision=provision, chapter=chapter, comments=n))
        by_chapter[chapter.pk if chapter else None] += n
    if by_chapter.get(None):
        chapters.append(None)
    later = [
        v for v in versions if v.number > version.number and v.status != DraftVersion.Status.WORKING
    ]
    next_version = later[0] if later else None
    trace = (
        changes_from_comments(version=next_version, since=version, user=user)
        if next_version is not None
        else None
    )
    return Report(
        draft=draft,
        version=version,
        versions=versions,
        status=consultation_status(version),
        by_kind=by_kind,
        by_article=by_article,
        by_chapter=[(c, by_chapter.get(c.pk if c else None, 0)) for c in chapters],
        by_disposition=[
            (s.value, str(s.label), by_disposition.get(s.value, 0)) for s in Disposition.Status
        ],
        total_comments=sum(comments_by_kind.values()),
        organisations=len(set().union(*organisations.values())) if organisations else 0,
        people=len(set().union(*people.values())) if people else 0,
        threads=sum(by_disposition.values()),
        next_version=next_version,
        trace=trace,
        summary=RoundSummary.objects.filter(version=version).first(),
    )


def round_summary(version: DraftVersion) -> RoundSummary | None:
    return RoundSummary.objects.filter(version=version).first()


# --- feeds -------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftEvent:
    """Something that happened to a draft's consultation, as a feed entry."""

    kind: str  # published, opened, closing, closed
    version: DraftVersion
    at: object  # datetime


def draft_events(draft: Draft, *, now=None) -> list[DraftEvent]:
    """New versions and the opening, closing date and close of each round, newest first.

    Read as anyone reads the draft (published versions only): a feed is fetched
    by readers that never sign in.
    """
    now = now or timezone.now()
    events = []
    for version in draft_selectors.readable_versions(user=AnonymousUser(), draft=draft):
        if version.published_at:
            events.append(DraftEvent("published", version, version.published_at))
        if version.opens_at and version.opens_at <= now:
            events.append(DraftEvent("opened", version, version.opens_at))
        if version.closes_at:
            state = consultation_status(version, now).code
            if state == "open":
                # Announced when the round opens, so readers know the date in advance.
                events.append(DraftEvent("closing", version, version.opens_at or now))
            elif state == "closed" and version.closes_at <= now:
                events.append(DraftEvent("closed", version, version.closes_at))
    events.sort(key=lambda e: (e.at, e.version.number, e.kind), reverse=True)
    return events


def public_draft(slug: str) -> Draft | None:
    """A draft anyone may read (with its lead ministry), or None."""
    found = draft_selectors.draft_for_reading(user=AnonymousUser(), slug=slug)
    return found[0] if found else None


def public_organisation(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


FEED_LENGTH = 50


def organisation_public_comments(organisation: Organisation) -> list[Comment]:
    """The latest public, active comments of ``organisation``, as an anonymous reader sees them."""
    return list(comment_selectors.organisation_public_comments(organisation)[:FEED_LENGTH])


def _anonymous_record() -> Q:
    """What an anonymous reader finds in the record of any draft: public, not hidden.

    ``comment_record_filter`` for a reader who reviews nothing is the same on every
    draft (``sees_everything_on`` is false for them), so one draft stands for all.
    """
    return comment_visibility_filter(AnonymousUser()) & ~Q(state=Comment.State.HIDDEN)


def organisations_with_public_comments() -> list[Organisation]:
    """Organisations whose public comments an anonymous reader can find: each has a feed."""
    anonymous = AnonymousUser()
    public = Comment.objects.filter(state=Comment.State.ACTIVE).filter(_anonymous_record())
    public = public.filter(version__in=DraftVersion.objects.readable_by(anonymous))
    return list(Organisation.objects.filter(pk__in=public.values("organisation_id")))


# --- portal pages and open data ----------------------------------------------------


def page(slug: str) -> Page | None:
    return Page.objects.filter(slug=slug).first()


def open_data_release(draft: Draft) -> OpenDataRelease | None:
    return OpenDataRelease.objects.filter(draft=draft).first()


def packet_versions(user) -> list[tuple[Draft, list[DraftVersion]]]:
    """Each draft with the published versions on which ``user`` may request review packets."""
    rows = []
    for draft in draft_selectors.drafts_with_readable_versions(user):
        allowed = [
            v
            for v in draft.readable_versions
            if v.status != DraftVersion.Status.WORKING and can(user, "packet.request", v)
        ]
        if allowed:
            rows.append((draft, allowed))
    return rows

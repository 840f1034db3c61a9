"""Reads on drafts and versions: the one door every page, API, packet and notification uses.

Which versions a person may read is the ``version.view`` rule of
``stakeholders.policies``; here it is applied as a query
(``DraftVersion.objects.readable_by(user)``), so a list, a lookup by id and a
count can never disagree with the rule or with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from stakeholders.policies import can, comment_visibility_filter

from .models import Draft, DraftVersion, Provision


def readable_versions(*, user, draft: Draft) -> list[DraftVersion]:
    """The versions of ``draft`` that ``user`` may read, oldest first, sharing ``draft``.

    One shared draft instance means the permission rules read its drafting
    organisations once, not once per version.
    """
    versions = list(DraftVersion.objects.readable_by(user).filter(draft=draft).order_by("number"))
    for version in versions:
        version.draft = draft
    return versions


def current_version(versions: list[DraftVersion]) -> DraftVersion | None:
    """The latest published version; the working one only when nothing is published yet."""
    published = [v for v in versions if v.status != DraftVersion.Status.WORKING]
    if published:
        return published[-1]
    return versions[-1] if versions else None


def readable_drafts(user) -> QuerySet[Draft]:
    """Drafts with at least one version ``user`` may read."""
    readable = DraftVersion.objects.readable_by(user).filter(draft=OuterRef("pk"))
    return Draft.objects.filter(Exists(readable))


def drafts_with_readable_versions(user) -> list[Draft]:
    """Every draft ``user`` may read, newest first, each with ``readable_versions`` (oldest first).

    Three queries whatever the number of drafts and versions.
    """
    versions = DraftVersion.objects.readable_by(user).order_by("number")
    drafts = list(
        readable_drafts(user)
        .select_related("lead_ministry")
        .prefetch_related(
            "drafting_partners",
            Prefetch("versions", queryset=versions, to_attr="readable_versions"),
        )
        .order_by("-created_at", "-pk")
    )
    for draft in drafts:
        for version in draft.readable_versions:
            version.draft = draft
    return drafts


def draft_for_reading(*, user, slug: str) -> tuple[Draft, list[DraftVersion]] | None:
    """A draft by slug with the versions ``user`` may read, or None when there are none."""
    draft = (
        Draft.objects.select_related("lead_ministry")
        .prefetch_related("drafting_partners")
        .filter(slug=slug)
        .first()
    )
    if draft is None:
        return None
    versions = readable_versions(user=user, draft=draft)
    return (draft, versions) if versions else None


def readable_version(*, user, pk, count_comments: bool = False) -> DraftVersion | None:
    """The version ``pk`` if ``user`` may read it, with its draft; None otherwise.

    With ``count_comments``, annotated with the number of comments ``user`` may see.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    versions = (
        DraftVersion.objects.readable_by(user)
        .select_related("draft", "draft__lead_ministry")
        .prefetch_related("draft__drafting_partners")
        .filter(pk=pk)
    )
    if count_comments:
        versions = with_comment_counts(versions, user=user)
    return versions.first()


def readable_provision(*, user, version_pk, stable_id: str) -> Provision | None:
    """The provision ``stable_id`` of version ``version_pk``, with the version and its draft,
    if ``user`` may read the version and the provision is not removed; None otherwise.

    One query (what posting a comment needs to know before anything else): the
    provision is read by its version's id, then the ``version.view`` rule is asked of
    the version read with it, which for a published version needs nothing more.
    Asking it as a query (``readable_by``) made building the statement cost more than
    running it.
    """
    try:
        version_pk = int(version_pk)
    except (TypeError, ValueError):
        return None
    if not 0 < version_pk < 2**63:
        return None
    found = list(
        Provision.objects.select_related("version__draft")
        .filter(version_id=version_pk, stable_id=stable_id, removed_at__isnull=True)
        .order_by("position")[:1]
    )
    if not found or not can(user, "version.view", found[0].version):
        return None
    return found[0]


def with_comment_counts(versions: QuerySet[DraftVersion], *, user) -> QuerySet[DraftVersion]:
    """Annotate ``comment_count``: the comments on each version that ``user`` may see.

    Counted through the reverse relation with the ``comment.view`` rule as a
    query, so drafts need not import the comments app to say how many there are.
    """
    visible = comment_visibility_filter(user, prefix="comments__")
    return versions.annotate(comment_count=Count("comments", filter=visible or None, distinct=True))


@dataclass(frozen=True)
class TranslationGaps:
    """How many of a version's live provisions lack their text or heading in each language.

    A provision counts as missing a language when it has a heading or text in the
    other language and nothing in this one; an untitled provision with no text in
    either is not a gap.
    """

    provisions: int
    missing_km: int
    missing_en: int

    @property
    def total(self) -> int:
        return self.missing_km + self.missing_en

    @property
    def complete(self) -> bool:
        return self.total == 0


def _lacks(provision: Provision, language: str) -> bool:
    other = "en" if language == "km" else "km"
    return any(
        not getattr(provision, f"{field}_{language}") and getattr(provision, f"{field}_{other}")
        for field in ("heading", "text")
    )


def translation_gaps(provisions) -> TranslationGaps:
    """The translation gaps of a version's live provisions (``Provision.objects.for_reading``).

    Pages pass the provisions they have already loaded, so counting costs no query.
    """
    provisions = list(provisions)
    return TranslationGaps(
        provisions=len(provisions),
        missing_km=sum(_lacks(p, "km") for p in provisions),
        missing_en=sum(_lacks(p, "en") for p in provisions),
    )


def version_ids_up_to(version: DraftVersion) -> list[int]:
    """The ids of ``version`` and every earlier version of its draft, readable or not."""
    return list(
        DraftVersion.objects.filter(
            draft_id=version.draft_id, number__lte=version.number
        ).values_list("pk", flat=True)
    )


def provisions_for_reading(version: DraftVersion) -> list[Provision]:
    """A version's live provisions in document order, each sharing ``version``."""
    provisions = list(Provision.objects.for_reading(version))
    for provision in provisions:
        provision.version = version
    return provisions


def versions_due_to_close(now=None):
    now = now or timezone.now()
    return DraftVersion.objects.filter(
        status=DraftVersion.Status.IN_CONSULTATION, closes_at__lte=now
    ).order_by("closes_at")

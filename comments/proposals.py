"""Applying a proposal for a new article: the drafters' other way of accepting a comment's text.

A proposal (``Comment.Kind.NEW_ARTICLE``) is made on the provision it should
follow, in a published version. Applying it inserts a new article into the
working version at the same place (found by stable id, so it survives moves):
after that article, or first in that chapter, part or section when the proposal
follows a heading. The new article is made by ``drafts.services.provision_add``,
so it gets a stable id by the usual rule and keeps it; it takes the number the
drafter gives, or none until the drafters renumber the version
(``version_renumber_articles``), as any inserted article does. Its history row
names the proposal (``caused_by_comment_id``) and the disposition records the
version it landed in, so the trace, the matrix and the packet show it like an
applied amendment.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import clean_user_text
from drafts.models import DraftVersion, Provision, ProvisionChange
from drafts.services import provision_add
from stakeholders.policies import ensure_can

from .models import Comment, Disposition
from .services import disposition_record
from .targets import check_new_article_text


def new_article_place(
    *, comment: Comment, working_version: DraftVersion
) -> tuple[Provision | None, Provision | None]:
    """``(parent, after)`` for the new article in ``working_version``, as ``provision_add`` takes them."""
    anchor = (
        Provision.objects.for_reading(working_version)
        .filter(stable_id=comment.provision.stable_id)
        .select_related("parent")
        .first()
    )
    if anchor is None:
        raise DomainError(
            _(
                "The provision this article was proposed after is no longer in the working "
                "version; answer the comment instead."
            )
        )
    if anchor.kind == Provision.Kind.ARTICLE:
        return anchor.parent, anchor
    return anchor, None  # after a heading: the first article under it


def new_article_apply(
    *,
    comment: Comment,
    by,
    working_version: DraftVersion,
    response: str,
    text_en: str | None = None,
    text_km: str | None = None,
    heading_en: str = "",
    heading_km: str = "",
    number: str = "",
    status: str = Disposition.Status.ACCEPTED,
    disposition_revision: int | None = None,
) -> Provision:
    """Insert a proposed new article into the working version and record the decision, in one step.

    ``text_en`` and ``text_km`` default to the proposal's texts; the drafter may
    give the final wording instead (partly accepted). A proposal is applied once.
    """
    ensure_can(by, "comment.apply", comment)
    ensure_can(by, "version.edit", working_version)
    if comment.kind != Comment.Kind.NEW_ARTICLE or comment.parent_id is not None:
        raise DomainError(_("Only a proposal for a new article is applied this way."))
    if working_version.draft_id != comment.version.draft_id:
        raise DomainError(_("That working version belongs to another draft."))
    if working_version.pk == comment.version_id:
        raise DomainError(_("Apply an amendment to the next version, not the one it was made on."))
    if status not in (Disposition.Status.ACCEPTED, Disposition.Status.PARTLY_ACCEPTED):
        raise DomainError(_("An applied amendment is accepted or partly accepted."), field="status")
    final_en = clean_user_text(comment.proposed_text if text_en is None else text_en)
    final_km = clean_user_text(comment.proposed_text_km if text_km is None else text_km)
    check_new_article_text(final_en, final_km)
    with transaction.atomic():
        disposition = Disposition.objects.select_for_update().get(comment=comment)
        if disposition.applied_in_version_id is not None:
            raise DomainError(_("This proposal has already been applied."))
        parent, after = new_article_place(comment=comment, working_version=working_version)
        article = provision_add(
            version=working_version,
            by=by,
            kind=Provision.Kind.ARTICLE,
            parent=parent,
            after=after,
            number=clean_user_text(number),
            heading_en=heading_en,
            heading_km=heading_km,
            text_en=final_en,
            text_km=final_km,
            caused_by_comment_id=comment.pk,
        )
        disposition_record(
            comment=comment,
            by=by,
            status=status,
            response=response,
            revision=disposition_revision,
            applied_in_version=working_version,
            reason=f"New article applied in version {working_version.number}",
        )
    return article


def added_articles(comment_ids) -> dict[int, str]:
    """The stable id of the article each applied proposal added, by comment id. One query."""
    rows = Provision.history.filter(
        caused_by_comment_id__in=list(comment_ids), change_kind=ProvisionChange.ADDED
    ).values_list("caused_by_comment_id", "stable_id")
    return dict(rows)


__all__ = ["added_articles", "new_article_apply", "new_article_place"]

"""What a new thread may be on: a provision, the whole draft, or the place of a new article.

Pure checks, shared by ``services.comment_create`` and ``services.comment_draft_save``
(a private draft is checked like the comment it will become).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError
from drafts.models import DraftVersion, Provision

from .models import Comment

# A general comment (on no provision) can be a comment or a question; an
# amendment needs the article it changes, a new article the place it goes.
GENERAL_KINDS = (Comment.Kind.COMMENT, Comment.Kind.QUESTION)


def check_target(*, version: DraftVersion, provision: Provision | None, kind: str) -> None:
    """Refuse a thread whose provision is not live in ``version``, or a kind its target cannot take."""
    if provision is None:
        if kind not in GENERAL_KINDS:
            raise DomainError(
                _("A comment on the whole draft can be a comment or a question."), field="kind"
            )
        return
    if provision.version_id != version.pk or provision.removed_at is not None:
        raise DomainError(_("That provision is not part of this version."), field="provision")


def check_new_article_text(text_en: str, text_km: str) -> None:
    """A proposed new article has its text in English, Khmer or both, within the amendment limit."""
    if not text_en and not text_km:
        raise DomainError(
            _("A proposed new article needs its text, in English or Khmer."),
            field="proposed_text",
        )
    limit = settings.PORTAL["COMMENT_MAX_LENGTH"] * 3
    if len(text_en) > limit or len(text_km) > limit:
        raise DomainError(
            _("The proposed text is too long."), field="proposed_text", code="too_long"
        )

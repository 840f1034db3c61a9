"""Writes on comments, endorsements, dispositions, reports and moderation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ConflictError, DomainError, RateLimited
from core.events import emit
from core.events import together as events_together
from core.numerals import local_digits
from core.text import clean_user_text
from drafts.merge import MergeResult, merge3
from drafts.models import DraftVersion, Provision
from drafts.services import provision_edit
from stakeholders.models import Organisation
from stakeholders.policies import actor_for, ensure_can

from .amendments import article_text, dropped_amendments
from .anchoring import QUOTE_CONTEXT, locate_exact, locate_fuzzy
from .attachments import CheckedFile, check_files
from .fragments import thread_touch, threads_touch
from .models import (
    Attachment,
    Comment,
    CommentDraft,
    Disposition,
    Endorsement,
    PassageCheck,
    Report,
    RoundParticipation,
    Visibility,
    tracking_number_for,
)
from .rendering import render_markdown
from .selectors import amendment_base_text, amendment_language
from .targets import check_new_article_text, check_target

logger = logging.getLogger(__name__)


class AmendmentConflict(ConflictError):
    """Applying an amendment needs the drafter: the article and the amendment changed the same words.

    ``current`` is the working article, ``merge`` the word-level three-way merge
    (its text keeps the current words wherever the two overlap; its conflicts
    are what the drafter must decide).
    """

    def __init__(self, message, *, current, merge: MergeResult):
        super().__init__(message, current=current)
        self.merge = merge


_VISIBILITY_RANK = {Visibility.PUBLIC: 0, Visibility.PARTICIPANTS: 1, Visibility.RESTRICTED: 2}


def _clean_body(body: str, *, field: str = "body") -> str:
    body = clean_user_text(body)
    if not body:
        raise DomainError(_("Please write something."), field=field)
    limit = settings.PORTAL["COMMENT_MAX_LENGTH"]
    if len(body) > limit:
        raise DomainError(
            _("Please keep it under %(limit)s characters (this one has %(length)s).")
            % {"limit": limit, "length": len(body)},
            field=field,
            code="too_long",
        )
    return body


def _clean_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("“%(value)s” is not a valid choice.") % {"value": value}, field=field)
    return value


def quote_selector(text: str, exact: str) -> tuple[str, str]:
    """Prefix and suffix around the first place ``exact`` stands in ``text``.

    Raises DomainError when the passage is not in the text, so an anchor is
    never stored that nobody could find again.
    """
    start = text.find(exact)
    if start < 0:
        raise DomainError(
            _("The quoted passage was not found in the article’s text."), field="quote_exact"
        )
    end = start + len(exact)
    return text[max(0, start - QUOTE_CONTEXT) : start], text[end : end + QUOTE_CONTEXT]


def _organisation(by, org_id: int) -> Organisation:
    """The organisation ``org_id``; when it is the one ``by`` chose to act for, as read with
    them (the API's token authentication reads it with the person: no query here)."""
    if by.active_organisation_id == org_id:
        return by.active_organisation
    return Organisation.objects.get(pk=org_id)


def _acting_organisation(by):
    return _organisation(by, actor_for(by).acting_org_id)


def _speaking_organisation(by) -> Organisation | None:
    """The organisation a post speaks for, or None when its author speaks as an individual.

    The policy has already decided that the person may post (``comment.create``,
    ``comment.reply``): with no acting organisation, that means as an individual.
    """
    actor = actor_for(by)
    if actor.acting_org_id is None:
        return None
    return _organisation(by, actor.acting_org_id)


def _next_comment_id() -> int | None:
    """The id the next comment gets, taken from the table's sequence (PostgreSQL), or None.

    Knowing the id before the INSERT puts the thread path and the tracking number,
    both made from it, into the one INSERT (and its history row) instead of an
    INSERT and then an UPDATE. SQLite has no sequence to take an id from.
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Comment._meta.db_table])
        return cursor.fetchone()[0]


def _save_with_path(comment: Comment, parent: Comment | None) -> None:
    def complete(pk: int) -> None:
        segment = f"{pk:012d}"
        comment.thread_path = f"{parent.thread_path}.{segment}" if parent else segment
        comment.tracking_number = tracking_number_for(pk, comment.created_at.year)

    comment.pk = _next_comment_id()
    if comment.pk is not None:
        complete(comment.pk)
        comment.save(force_insert=True)
        return
    comment.save()
    complete(comment.pk)
    comment.skip_history_when_saving = True  # one history row per posting is enough
    comment.save(update_fields=["thread_path", "tracking_number"])
    del comment.skip_history_when_saving


def _attachments_store(*, comment: Comment, checked: list[CheckedFile], by) -> list[Attachment]:
    """Store files that passed ``check_files`` through Django's storage, and their rows.

    The last step of a post's transaction; if storing one fails, the files
    already written are removed again and the post fails as a whole.
    """
    stored: list[Attachment] = []
    try:
        for item in checked:
            attachment = Attachment(
                comment=comment,
                original_name=item.name,
                content_type=item.content_type,
                extension=item.extension,
                size=item.size,
                sha256=item.sha256,
                extracted_text=item.text,
                active_content=item.active_content,
                uploaded_by=by,
                created_at=comment.created_at,
            )
            attachment.file.save(item.name, ContentFile(item.data), save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def comment_draft_save(
    *,
    by,
    version: DraftVersion,
    provision: Provision | None,
    body: str = "",
    kind: str = Comment.Kind.COMMENT,
    visibility: str = Visibility.PUBLIC,
    quote_exact: str = "",
    quote_language: str = "en",
    proposed_text: str = "",
    proposed_text_km: str = "",
    comment_draft: CommentDraft | None = None,
) -> CommentDraft:
    """Keep a comment one is writing as a private draft, to submit later.

    Only someone who may post on the version now may save a draft of it; the
    draft is checked as a comment when it is submitted, not before.
    """
    ensure_can(by, "comment.create", version)
    kind = _clean_choice(kind, Comment.Kind, "kind")
    check_target(version=version, provision=provision, kind=kind)
    if comment_draft is not None and comment_draft.author_id != by.pk:
        raise DomainError(_("There is no such draft."))
    limit = settings.PORTAL["COMMENT_MAX_LENGTH"]
    comment_draft = comment_draft or CommentDraft(author=by)
    comment_draft.version = version
    comment_draft.provision = provision
    comment_draft.kind = kind
    comment_draft.visibility = _clean_choice(visibility, Visibility, "visibility")
    comment_draft.body = clean_user_text(body)[:limit]
    comment_draft.proposed_text = clean_user_text(proposed_text)[: limit * 3]
    comment_draft.proposed_text_km = clean_user_text(proposed_text_km)[: limit * 3]
    comment_draft.quote_exact = clean_user_text(quote_exact)[:2000]
    comment_draft.quote_language = "km" if quote_language == "km" else "en"
    comment_draft.save()
    return comment_draft


def comment_draft_submit(*, comment_draft: CommentDraft, by, attachments: Sequence = ()) -> Comment:
    """Post a private draft as a comment (every rule of posting applies); the draft goes."""
    if comment_draft.author_id != by.pk:
        raise DomainError(_("There is no such draft."))
    with transaction.atomic():
        comment = comment_create(
            by=by,
            version=comment_draft.version,
            provision=comment_draft.provision,
            body=comment_draft.body,
            kind=comment_draft.kind,
            visibility=comment_draft.visibility,
            quote_exact=comment_draft.quote_exact,
            quote_language=comment_draft.quote_language or "en",
            proposed_text=comment_draft.proposed_text,
            proposed_text_km=comment_draft.proposed_text_km,
            attachments=attachments,
        )
        comment_draft.delete()
    return comment


def comment_draft_discard(*, comment_draft: CommentDraft, by) -> None:
    """Throw a private draft away: it was never part of the record."""
    if comment_draft.author_id != by.pk:
        raise DomainError(_("There is no such draft."))
    comment_draft.delete()


def round_participation_set(
    *, version: DraftVersion, by, individuals_may_take_part: bool
) -> RoundParticipation:
    """The draft's drafters open a round to individuals, or keep it to organisations.

    Only posting from now on is affected: what individuals already wrote stays.
    """
    ensure_can(by, "version.participation", version)
    with transaction.atomic():
        participation, _created = RoundParticipation.objects.select_for_update().get_or_create(
            version=version
        )
        participation.individuals_may_take_part = bool(individuals_may_take_part)
        participation._history_user = by
        participation._change_reason = (
            "Round opened to individuals"
            if individuals_may_take_part
            else "Round kept to organisations"
        )
        participation.save()
    version.participation = participation  # the policy reads it from the version
    return participation


def comment_create(
    *,
    by,
    version: DraftVersion,
    provision: Provision | None,
    body: str,
    kind: str = Comment.Kind.COMMENT,
    visibility: str = Visibility.PUBLIC,
    quote_exact: str = "",
    quote_language: str = "en",
    proposed_text: str = "",
    proposed_text_km: str = "",
    posted_at: datetime | None = None,
    attachments: Sequence = (),
) -> Comment:
    """Post a new thread on a provision of a version open for consultation.

    ``provision`` None is a general comment, on the whole draft. A new article
    is proposed after ``provision``, with its text in ``proposed_text``
    (English) and/or ``proposed_text_km`` (see ``comments.proposals``).
    ``attachments`` (uploaded files) are checked before anything is saved: one
    refused file refuses the whole post. The comment comes back with its files as
    ``attachment_list``, as the comment lists load them.
    """
    ensure_can(by, "comment.create", version)
    if posted_at is None:  # a back-dated import by trusted code is not rate limited
        posting_rate_check(by=by)
    kind = _clean_choice(kind, Comment.Kind, "kind")
    check_target(version=version, provision=provision, kind=kind)
    visibility = _clean_choice(visibility, Visibility, "visibility")
    body = _clean_body(body)
    proposed_text = clean_user_text(proposed_text)
    proposed_text_km = clean_user_text(proposed_text_km)
    if kind == Comment.Kind.NEW_ARTICLE:
        check_new_article_text(proposed_text, proposed_text_km)
    else:
        proposed_text_km = ""
    if kind == Comment.Kind.AMENDMENT:
        if not proposed_text:
            raise DomainError(
                _("A proposed amendment needs the proposed text."), field="proposed_text"
            )
        if len(proposed_text) > settings.PORTAL["COMMENT_MAX_LENGTH"] * 3:
            raise DomainError(
                _("The proposed text is too long."), field="proposed_text", code="too_long"
            )
    elif kind != Comment.Kind.NEW_ARTICLE:
        proposed_text = ""
    quote_language = "km" if quote_language == "km" else "en"
    quote_exact = clean_user_text(quote_exact) if provision is not None else ""
    prefix = suffix = ""
    if quote_exact:
        prefix, suffix = quote_selector(provision.text_in(quote_language), quote_exact)
    checked = check_files(attachments)
    organisation = _speaking_organisation(by)
    with transaction.atomic():
        comment = Comment(
            version=version,
            provision=provision,
            kind=kind,
            visibility=visibility,
            body=body,
            body_html=render_markdown(body),
            proposed_text=proposed_text,
            proposed_text_km=proposed_text_km,
            quote_exact=quote_exact,
            quote_prefix=prefix,
            quote_suffix=suffix,
            quote_language=quote_language if quote_exact else "",
            provision_text_at_posting=provision.text_en if provision is not None else "",
            author=by,
            organisation=organisation,
            thread_organisation=organisation,
            thread_author=by,
            created_at=posted_at or timezone.now(),
        )
        comment._change_reason = "Posted"
        comment._history_user = by
        # Made before the comment is saved, so whatever reads the new comment's
        # disposition while it is saved (the search index) finds it without a query.
        disposition = Disposition(comment=comment)
        _save_with_path(comment, None)
        disposition.save()
        with events_together():  # the two events' outbox rows in one INSERT
            if posted_at is None:
                posting_rate_count(by=by, organisation_id=organisation.pk if organisation else None)
                emit("comment.submitted", comment_id=comment.pk)  # the author's receipt
            comment.attachment_list = _attachments_store(comment=comment, checked=checked, by=by)
            # A new thread has no cached fragment yet, but the version's counts and marks change.
            thread_touch(comment)
            emit("comment.created", comment_id=comment.pk, version_id=version.pk)
    return comment


def comment_reply(
    *,
    by,
    parent: Comment,
    body: str,
    visibility: str = Visibility.PUBLIC,
    posted_at: datetime | None = None,
    attachments: Sequence = (),
) -> Comment:
    """Reply to a comment at any depth (up to the configured limit).

    A reply is never less restricted than what it answers, so a restricted
    thread cannot leak through one of its replies.
    """
    ensure_can(by, "comment.reply", parent)
    if posted_at is None:  # a back-dated import by trusted code is not rate limited
        posting_rate_check(by=by)
    visibility = _clean_choice(visibility, Visibility, "visibility")
    if _VISIBILITY_RANK[Visibility(parent.visibility)] > _VISIBILITY_RANK[Visibility(visibility)]:
        visibility = parent.visibility
    if parent.depth + 1 > settings.PORTAL["COMMENT_MAX_DEPTH"]:
        raise DomainError(
            _("This thread is too deep to reply to; reply to an earlier comment instead."),
            code="too_deep",
        )
    body = _clean_body(body)
    checked = check_files(attachments)
    organisation = _speaking_organisation(by)
    with transaction.atomic():
        comment = Comment(
            version_id=parent.version_id,
            provision_id=parent.provision_id,
            parent=parent,
            root_id=parent.root_id or parent.pk,
            depth=parent.depth + 1,
            kind=Comment.Kind.COMMENT,
            visibility=visibility,
            body=body,
            body_html=render_markdown(body),
            author=by,
            organisation=organisation,
            thread_organisation_id=parent.thread_organisation_id,
            thread_author_id=parent.thread_author_id,
            created_at=posted_at or timezone.now(),
        )
        comment._change_reason = "Replied"
        comment._history_user = by
        _save_with_path(comment, parent)
        if posted_at is None:
            posting_rate_count(by=by, organisation_id=organisation.pk if organisation else None)
        emit("comment.replied", comment_id=comment.pk)
        thread_touch(comment)
        if posted_at is None:
            emit("comment.submitted", comment_id=comment.pk)  # the author's receipt
        comment.attachment_list = _attachments_store(comment=comment, checked=checked, by=by)
    return comment


def comment_edit(
    *, comment: Comment, by, body: str, revision: int, proposed_text: str | None = None
) -> Comment:
    """The author corrects a comment shortly after posting; earlier text stays in history."""
    ensure_can(by, "comment.edit", comment)
    body = _clean_body(body)
    with transaction.atomic():
        current = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=comment.pk)
        )
        if current.revision != revision:
            raise ConflictError(
                _("This comment changed since you opened it. Review it and edit again."),
                current=current,
            )
        current.body = body
        current.body_html = render_markdown(body)
        if proposed_text is not None and current.kind == Comment.Kind.AMENDMENT:
            proposed_text = clean_user_text(proposed_text)
            if not proposed_text:
                raise DomainError(
                    _("A proposed amendment needs the proposed text."), field="proposed_text"
                )
            current.proposed_text = proposed_text
        current.edited_at = timezone.now()
        current.revision += 1
        current._change_reason = "Edited by author"
        current._history_user = by
        current.save()
        thread_touch(current)
    return current


def comment_withdraw(*, comment: Comment, by, reason: str = "") -> Comment:
    """The author withdraws a comment. The row, its text and its history stay."""
    ensure_can(by, "comment.withdraw", comment)
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        current.state = Comment.State.WITHDRAWN
        current.withdrawn_at = timezone.now()
        current.withdrawal_reason = clean_user_text(reason)[:2000]
        current.revision += 1
        current._change_reason = "Withdrawn by author"
        current._history_user = by
        current.save()
        thread_touch(current)
    return current


def comment_hide(*, comment: Comment, by, reason: str) -> Comment:
    """A moderator hides a comment; the author is told why and it can be restored.

    Hiding answers every open report on the comment, wherever the moderator hid
    it from (the thread page or the queue): the reports are closed with the reason.
    """
    ensure_can(by, "comment.moderate", comment)
    reason = clean_user_text(reason)
    if not reason:
        raise DomainError(_("Please give the reason for hiding this comment."), field="reason")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.state == Comment.State.HIDDEN:
            return current
        current.state = Comment.State.HIDDEN
        current.hidden_at = timezone.now()
        current.hidden_by = by
        current.hidden_reason = reason
        current.revision += 1
        current._change_reason = f"Hidden by moderator: {reason}"[:100]
        current._history_user = by
        current.save()
        thread_touch(current)
        _reports_close(
            comment=current,
            by=by,
            resolution=_("Comment hidden: %(reason)s") % {"reason": reason},
        )
        emit("comment.hidden", comment_id=current.pk)
    return current


def comment_restore(*, comment: Comment, by, reason: str = "") -> Comment:
    """Undo a moderator's hiding; the hiding stays in the history."""
    ensure_can(by, "comment.moderate", comment)
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.state != Comment.State.HIDDEN:
            return current
        current.state = Comment.State.ACTIVE
        current.revision += 1
        current._change_reason = f"Restored by moderator: {clean_user_text(reason)}"[:100]
        current._history_user = by
        current.save()
        thread_touch(current)
        emit("comment.restored", comment_id=current.pk)
    return current


def endorsement_create(*, comment: Comment, by) -> Endorsement:
    """The user's organisation co-signs the comment (once per organisation)."""
    ensure_can(by, "comment.endorse", comment)
    organisation = _acting_organisation(by)
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.filter(
                comment=comment, organisation=organisation
            ).first()
            if endorsement is not None and endorsement.withdrawn_at is None:
                return endorsement
            if endorsement is None:
                endorsement = Endorsement(comment=comment, organisation=organisation, user=by)
            endorsement.withdrawn_at = None
            endorsement.user = by
            endorsement._history_user = by
            endorsement.save()
            thread_touch(comment)
    except IntegrityError:
        # A concurrent click from a colleague of the same organisation won the race.
        return Endorsement.objects.get(comment=comment, organisation=organisation)
    return endorsement


def endorsement_withdraw(*, comment: Comment, by) -> None:
    """The user's organisation takes back its endorsement; the row stays, marked withdrawn."""
    ensure_can(by, "comment.unendorse", comment)
    organisation = _acting_organisation(by)
    with transaction.atomic():
        endorsement = (
            Endorsement.objects.select_for_update()
            .filter(comment=comment, organisation=organisation, withdrawn_at__isnull=True)
            .first()
        )
        if endorsement is None:
            return
        endorsement.withdrawn_at = timezone.now()
        endorsement._history_user = by
        endorsement.save()
        thread_touch(comment)


def disposition_record(
    *,
    comment: Comment,
    by,
    status: str,
    response: str,
    revision: int | None = None,
    applied_in_version: DraftVersion | None = None,
    reason: str = "Disposition recorded",
) -> Disposition:
    """A drafter records what the ministry decided about a comment, and why.

    A decision other than "noted" must come with a written response; the
    earlier response stays in the history.
    """
    ensure_can(by, "comment.answer", comment)
    status = _clean_choice(status, Disposition.Status, "status")
    response = clean_user_text(response)
    if status != Disposition.Status.PENDING and not response:
        raise DomainError(_("Please write the ministry’s response."), field="response")
    if len(response) > settings.PORTAL["COMMENT_MAX_LENGTH"]:
        raise DomainError(_("The response is too long."), field="response", code="too_long")
    with transaction.atomic():
        disposition, _created = Disposition.objects.select_for_update().get_or_create(
            comment=comment
        )
        if revision is not None and disposition.revision != revision:
            raise ConflictError(
                _("Another drafter answered this comment while you were writing."),
                current=disposition,
            )
        disposition.status = status
        disposition.response = response
        disposition.response_html = render_markdown(response)
        disposition.responded_by = by
        disposition.responded_at = timezone.now()
        if applied_in_version is not None:
            disposition.applied_in_version = applied_in_version
        disposition.revision += 1
        disposition._change_reason = reason
        disposition._history_user = by
        disposition.save()
        thread_touch(comment)
        emit("disposition.recorded", comment_id=comment.pk)
    return disposition


def disposition_supersede(
    *, comment: Comment, by, reason: str, superseded_by: Comment | None = None
) -> Disposition:
    """Record that an applied amendment's words were taken out again by a later change.

    ``superseded_by`` is the amendment whose application replaced them (none for
    a drafter's own edit). The disposition keeps its status and the version it
    was applied in, so the history shows both what was decided and what became
    of it; the record shows "superseded" instead of "applied".
    """
    ensure_can(by, "comment.answer", comment)
    reason = clean_user_text(reason)
    if not reason:
        raise DomainError(
            _("Please say why the words of the earlier amendment are taken out."),
            field="superseded_reason",
        )
    with transaction.atomic():
        disposition = Disposition.objects.select_for_update().get(comment=comment)
        disposition.superseded_by = superseded_by
        disposition.superseded_reason = reason[:2000]
        disposition.superseded_at = timezone.now()
        disposition.revision += 1
        disposition._change_reason = (
            f"Superseded by amendment #{superseded_by.pk}" if superseded_by else "Superseded"
        )
        disposition._history_user = by
        disposition.save()
        thread_touch(comment)
        emit("disposition.recorded", comment_id=comment.pk)
    return disposition


def _supersede_dropped(
    *, article: Provision, by, superseded_by: Comment | None, reason: str
) -> list[Comment]:
    """Refuse a saved article text that drops applied amendments' words, unless the drafter says why.

    Runs inside the caller's transaction, after the save, so the check reads the
    text exactly as stored; raising rolls the save back.
    """
    dropped = dropped_amendments(article, exclude=superseded_by)
    if not dropped:
        return []
    if not clean_user_text(reason or ""):
        raise DomainError(
            _(
                "This text takes out the words of %(ids)s, already applied to this article in "
                "this version. Keep them, or say why they are superseded."
            )
            % {"ids": ", ".join(f"#{c.pk}" for c in dropped)},
            field="superseded_reason",
            code="supersedes",
        )
    for earlier in dropped:
        disposition_supersede(comment=earlier, by=by, reason=reason, superseded_by=superseded_by)
    return dropped


def ensure_addressable(*, comment: Comment, provision: Provision, by) -> None:
    """Refuse a comment a change of ``provision`` cannot be said to address.

    It must be the first comment of a thread, made on the same article (by
    stable id) in an earlier version of the same draft, and ``by`` must be
    allowed to answer it (``comment.answer``).
    """
    version = provision.version
    if comment.parent_id is not None:
        raise DomainError(
            _("#%(id)s is a reply; pick the first comment of its thread.") % {"id": comment.pk},
            field="addresses",
        )
    if comment.version.draft_id != version.draft_id:
        raise DomainError(
            _("#%(id)s was made on another draft.") % {"id": comment.pk}, field="addresses"
        )
    if (
        comment.version.number >= version.number
        or comment.provision is None
        or comment.provision.stable_id != provision.stable_id
    ):
        raise DomainError(
            _("#%(id)s is not a comment on this article in an earlier version.")
            % {"id": comment.pk},
            field="addresses",
        )
    ensure_can(by, "comment.answer", comment)


def disposition_address(
    *,
    comment: Comment,
    by,
    version: DraftVersion,
    change_id: int,
    revision: int | None = None,
) -> Disposition:
    """Record that a drafter's change (``change_id``, a provision history row) addresses a comment.

    The decision is not changed: a pending comment stays pending until a
    drafter answers it. Only the link to the change is recorded, so the record
    can show which change of which version answers the comment. A later change
    addressing the same comment replaces the link (the earlier one stays in the
    history).
    """
    ensure_can(by, "comment.answer", comment)
    with transaction.atomic():
        disposition, _created = Disposition.objects.select_for_update().get_or_create(
            comment=comment
        )
        if revision is not None and disposition.revision != revision:
            raise ConflictError(
                _("Another drafter answered this comment while you were writing."),
                current=disposition,
            )
        disposition.addressed_in_version = version
        disposition.addressed_change = change_id
        disposition.revision += 1
        disposition._change_reason = f"Addressed by a change in version {version.number}"
        disposition._history_user = by
        disposition.save()
        thread_touch(comment)
    return disposition


def provision_edit_checked(
    *,
    provision: Provision,
    by,
    revision: int,
    superseded_reason: str = "",
    addresses: Sequence[Comment] = (),
    **changes,
) -> Provision:
    """A drafter's own edit of a working provision, keeping the record of applied amendments true.

    The edit is ``drafts.services.provision_edit``; if the saved text drops the
    words of an amendment applied to this article in this version, the edit is
    refused unless ``superseded_reason`` says why, and that amendment's
    disposition records it as superseded.

    ``addresses`` are the earlier comments the change answers (see
    ``ensure_addressable``): each one's disposition records the version and the
    provision history row of this save, in the same transaction.
    """
    for comment in addresses:
        ensure_addressable(comment=comment, provision=provision, by=by)
    with transaction.atomic():
        saved = provision_edit(provision=provision, by=by, revision=revision, **changes)
        _supersede_dropped(article=saved, by=by, superseded_by=None, reason=superseded_reason)
        if addresses:
            change_id = (
                saved.history.order_by("-history_id").values_list("history_id", flat=True).first()
            )
            for comment in addresses:
                disposition_address(
                    comment=comment, by=by, version=saved.version, change_id=change_id
                )
    return saved


def report_create(*, comment: Comment, by, reason: str) -> Report:
    """Ask the moderators to look at a comment."""
    ensure_can(by, "comment.report", comment)
    reason = clean_user_text(reason)
    if not reason:
        raise DomainError(_("Please say what is wrong with this comment."), field="reason")
    report = Report(comment=comment, reporter=by, reason=reason[:2000])
    report._history_user = by
    with transaction.atomic():
        report.save()
        emit("comment.reported", report_id=report.pk)
    return report


def reports_to_queue() -> int:
    """Open reports that put a comment in the moderators' queue (``PORTAL["REPORTS_TO_QUEUE"]``).

    One by default: every report is looked at. A busy consultation may ask for more
    before a comment is queued and the moderators are alerted.
    """
    return max(1, int(settings.PORTAL.get("REPORTS_TO_QUEUE", 1)))


def reports_resolve(*, comment: Comment, by, resolution: str) -> int:
    """A moderator closes every open report on a comment, saying what was done.

    Returns how many reports were closed; each keeps its history.
    """
    ensure_can(by, "comment.moderate", comment)
    resolution = clean_user_text(resolution)
    if not resolution:
        raise DomainError(_("Please say how the reports were resolved."), field="resolution")
    with transaction.atomic():
        thread_touch(comment)
        return _reports_close(comment=comment, by=by, resolution=resolution)


def _reports_close(*, comment: Comment, by, resolution: str) -> int:
    now = timezone.now()
    closed = 0
    for report in Report.objects.select_for_update().filter(
        comment=comment, resolved_at__isnull=True
    ):
        report.resolved_at = now
        report.resolved_by = by
        report.resolution = resolution[:2000]
        report._history_user = by
        report._change_reason = "Report resolved"
        report.save()
        closed += 1
    return closed


def _languages_changed(before, after) -> list[str]:
    """The languages whose article text differs between two versions of a provision."""
    return [
        code
        for code in ("en", "km")
        if getattr(before, f"text_{code}") != getattr(after, f"text_{code}")
    ]


def passage_check_for(comment: Comment, now_provision: Provision | None) -> PassageCheck:
    """Where ``comment``'s passage stands in ``now_provision`` (None: the provision is gone).

    Without a quote, the passage is the whole article: unchanged only if neither
    its English nor its Khmer text changed, else changed in those languages.
    With a quote, the passage is looked for in the quote's language only:
    unchanged (the same words among the same context), moved (the same words,
    elsewhere or among different words), changed (a similar run of words, which
    is recorded; or nothing similar is left, and nothing is recorded), or
    removed with the provision. Not saved: the caller saves checks in bulk.
    """
    result = PassageCheck.Result
    check = PassageCheck(comment_id=comment.pk, result=result.REMOVED)
    if now_provision is None:
        return check
    if not comment.quote_exact:
        changed = _languages_changed(comment.provision, now_provision)
        check.result = result.CHANGED if changed else result.UNCHANGED
        check.changed_languages = ",".join(changed)
        return check
    language = "km" if comment.quote_language == "km" else "en"
    text = getattr(now_provision, f"text_{language}")  # no fallback: offsets are in this text
    prefix, suffix = comment.quote_prefix, comment.quote_suffix
    anchor = locate_exact(text, comment.quote_exact, prefix, suffix)
    if anchor is not None:
        check.result = result.UNCHANGED if anchor.context_matches else result.MOVED
    else:
        fuzzy = locate_fuzzy(text, comment.quote_exact, language, prefix, suffix)
        anchor = fuzzy[0] if fuzzy else None
        check.result = result.CHANGED
    if anchor is not None:
        check.found_text = anchor.found
        check.found_start, check.found_end = anchor.start, anchor.end
    if check.result != result.UNCHANGED:
        check.changed_languages = language
    return check


def passage_checks_record(*, version: DraftVersion) -> int:
    """Look again, in a newly published version, for every earlier comment's passage.

    Each comment on an earlier version of the draft is marked as
    ``passage_check_for`` says, in both languages. Idempotent: checks already
    made stay. Runs in three queries whatever the number of comments.
    """
    current = {
        p.stable_id: p
        for p in Provision.objects.for_reading(version).only("stable_id", "text_en", "text_km")
    }
    done = set(PassageCheck.objects.filter(version=version).values_list("comment_id", flat=True))
    earlier = (
        Comment.objects.filter(
            version__draft_id=version.draft_id,
            version__number__lt=version.number,
            provision__isnull=False,  # a general comment quotes no passage
        )
        .exclude(pk__in=done)
        .select_related("provision")
        .only(
            "pk",
            "root_id",
            "version_id",
            "quote_exact",
            "quote_prefix",
            "quote_suffix",
            "quote_language",
            "provision__stable_id",
            "provision__text_en",
            "provision__text_km",
        )
    )
    checks = []
    touched = set()
    # The marks are read on this version's pages and shown in the earlier threads.
    touched_versions = {version.pk}
    for comment in earlier.iterator(chunk_size=2000):
        touched.add(comment.root_id or comment.pk)
        touched_versions.add(comment.version_id)
        check = passage_check_for(comment, current.get(comment.provision.stable_id))
        check.version = version
        checks.append(check)
    # PassageCheck keeps no history (it is a computed mark, not something a person edits).
    PassageCheck.objects.bulk_create(checks, batch_size=2000, ignore_conflicts=True)
    threads_touch(touched, version_ids=touched_versions)
    return len(checks)


# --- posting rate limits ------------------------------------------------------------
# Counted per account and per organisation in fixed windows in Django's cache
# (Redis in production, so every web process shares the counts). A post is
# checked before anything is written and counted once it is saved, so a
# comment refused for being too long does not use up the allowance.
#
# When Redis is unreachable (the cache's client gives up after a short socket
# timeout, see CACHES in portal/settings/base.py) the limit is not dropped and
# posting is not refused: the same window is counted in the database instead,
# as the comments the account (or organisation) posted since the window began,
# one indexed query per limit (Comment indexes (author, created_at) and
# (organisation, created_at)). A warning is logged each time.

_RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CACHE_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"20/10m"`` → (20, 600); ``"200/h"`` → (200, 3600); empty or ``"0"`` → no limit."""
    rate = (rate or "").strip()
    if not rate or rate == "0":
        return None
    count, _slash, period = rate.partition("/")
    period = period.strip() or "s"
    number, unit = period[:-1] or "1", period[-1]
    if not count.strip().isdigit() or not number.isdigit() or unit not in _RATE_UNITS:
        raise ValueError(f"Invalid posting rate {rate!r}; use for example '20/10m' or '200/h'.")
    return int(count), int(number) * _RATE_UNITS[unit]


@dataclass(frozen=True)
class RateWindow:
    scope: str  # "user" or "org"
    ident: int
    key: str
    limit: int
    period: int
    starts: float  # epoch seconds
    remaining: float


def _rate_windows(*, user_id: int, organisation_id: int | None, now: float):
    """One ``RateWindow`` for each configured limit."""
    configured = [
        ("user", user_id, settings.PORTAL.get("POST_RATE_PER_USER", "")),
        ("org", organisation_id, settings.PORTAL.get("POST_RATE_PER_ORGANISATION", "")),
    ]
    for scope, ident, rate in configured:
        parsed = parse_rate(rate)
        if parsed is None or ident is None:
            continue
        limit, period = parsed
        window = int(now // period)
        key = f"portal:post-rate:{scope}:{ident}:{period}:{window}"
        yield RateWindow(
            scope, ident, key, limit, period, window * period, (window + 1) * period - now
        )


def _posted_in_window(window: RateWindow) -> int:
    """The database's count of the posts in a window: the fallback when Redis is away."""
    starts = datetime.fromtimestamp(window.starts, tz=UTC)
    field = "author_id" if window.scope == "user" else "organisation_id"
    return Comment.objects.filter(**{field: window.ident, "created_at__gte": starts}).count()


def _redis_of(cache):
    """The Redis cache and its client behind ``cache``, or (cache, None) for any other cache.

    Through the client the limits read every window in one MGET and count a post
    in one transaction, instead of a round trip per window and per step.
    """
    from django.core.cache import DEFAULT_CACHE_ALIAS, caches
    from django.core.cache.backends.redis import RedisCache
    from django.utils.connection import ConnectionProxy

    if isinstance(cache, ConnectionProxy):  # django.core.cache.cache stands for the default
        cache = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(cache, RedisCache):
        return cache, None
    return cache, cache._cache.get_client(write=True)


def _used_in_cache(cache, windows: list[RateWindow]) -> list[int]:
    """The posts counted in each window (0 where nothing was counted yet)."""
    cache, client = _redis_of(cache)
    if client is None:
        return [cache.get(window.key) or 0 for window in windows]
    # Django's Redis cache stores whole numbers as plain Redis integers, so INCR and
    # MGET work on its keys directly.
    values = client.mget([cache.make_and_validate_key(window.key) for window in windows])
    return [int(value) if value is not None else 0 for value in values]


def _count_in_cache(cache, windows: list[RateWindow]) -> None:
    cache, client = _redis_of(cache)
    if client is None:
        for window in windows:
            cache.add(window.key, 0, timeout=window.period + 60)
            try:
                cache.incr(window.key)
            except ValueError:  # expired between add and incr
                cache.set(window.key, 1, timeout=window.period + 60)
        return
    pipeline = client.pipeline(transaction=True)
    for window in windows:
        key = cache.make_and_validate_key(window.key)
        pipeline.set(key, 0, ex=window.period + 60, nx=True)  # a new window starts at 0
        pipeline.incr(key)
    pipeline.execute()


def posting_rate_check(*, by) -> None:
    """Refuse a post when the account or its organisation has used its allowance."""
    import time

    from django.core.cache import cache
    from django.utils.formats import time_format
    from django.utils.translation import ngettext

    actor = actor_for(by)
    if actor.user_id is None:
        return
    windows = list(
        _rate_windows(user_id=actor.user_id, organisation_id=actor.acting_org_id, now=time.time())
    )
    if not windows:
        return
    try:
        counted = _used_in_cache(cache, windows)
    except _CACHE_DOWN as exc:
        logger.warning("posting limits counted in the database: cache unreachable (%r)", exc)
        counted = [_posted_in_window(window) for window in windows]
    for window, used in zip(windows, counted, strict=True):
        if used < window.limit:
            continue
        remaining = window.remaining
        minutes = max(1, int(remaining // 60) + (1 if remaining % 60 else 0))
        at = time_format(timezone.localtime(timezone.now() + timezone.timedelta(seconds=remaining)))
        wait = ngettext(
            "You may post again in %(minutes)s minute (at %(time)s).",
            "You may post again in %(minutes)s minutes (at %(time)s).",
            minutes,
        ) % {"minutes": local_digits(minutes), "time": local_digits(at)}
        if window.scope == "user":
            message = _("You have reached the limit of %(limit)s posts for your account.") % {
                "limit": local_digits(window.limit)
            }
        else:
            message = _("Your organisation has reached its limit of %(limit)s posts for now.") % {
                "limit": local_digits(window.limit)
            }
        raise RateLimited(f"{message} {wait}", retry_after=int(remaining) + 1)


def posting_rate_count(*, by, organisation_id: int | None) -> None:
    """Count a post against the account's and the organisation's allowance.

    Called once the comment is saved, inside its transaction: a post refused
    by validation never gets here. With Redis away nothing is counted in the
    cache; the saved comment itself is what the database fallback counts.
    """
    import time

    from django.core.cache import cache

    windows = list(_rate_windows(user_id=by.pk, organisation_id=organisation_id, now=time.time()))
    if not windows:
        return
    try:
        _count_in_cache(cache, windows)
    except _CACHE_DOWN as exc:
        logger.warning("post not counted in the cache: cache unreachable (%r)", exc)


# --- applying amendments ----------------------------------------------------------


def amendment_apply(
    *,
    comment: Comment,
    by,
    working_version: DraftVersion,
    response: str,
    text: str | None = None,
    status: str = Disposition.Status.ACCEPTED,
    working_revision: int | None = None,
    disposition_revision: int | None = None,
    superseded_reason: str = "",
) -> Provision:
    """Merge a proposed amendment into the working version and record the decision, in one step.

    The proposed text replaces the text of the working article with the same
    stable id (in the amendment's language). If that article has changed since
    the comment was made, replacing it would throw away the ministry's own edit
    (or an amendment applied before), so the two edits are merged word by word
    (``drafts.merge.merge3``): when they touch different words the merged text
    is applied; when they touch the same words an AmendmentConflict (a
    ConflictError carrying the working article and the merge) is raised and the
    drafter passes the final wording as ``text``. ``working_revision`` is the
    revision of the working article the drafter resolved against: a save by
    somebody else since then is a conflict too. The disposition records the
    working version as the one the change landed in.

    Amendments applied earlier to this article in this version keep their
    words: if the final text drops any, it is refused unless the drafter gives
    ``superseded_reason``, and each dropped amendment's disposition then says it
    was superseded by this one, and why.
    """
    ensure_can(by, "comment.apply", comment)
    ensure_can(by, "version.edit", working_version)
    if working_version.draft_id != comment.version.draft_id:
        raise DomainError(_("That working version belongs to another draft."))
    if working_version.pk == comment.version_id:
        raise DomainError(_("Apply an amendment to the next version, not the one it was made on."))
    if status not in (Disposition.Status.ACCEPTED, Disposition.Status.PARTLY_ACCEPTED):
        raise DomainError(_("An applied amendment is accepted or partly accepted."), field="status")
    language = amendment_language(comment)
    with transaction.atomic():
        article = (
            Provision.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(version=working_version, stable_id=comment.provision.stable_id)
            .first()
        )
        if article is None or article.removed_at is not None:
            raise DomainError(
                _("This provision is no longer in the working version; answer the comment instead.")
            )
        current_text = article_text(article, language)
        if working_revision is not None and article.revision != working_revision:
            raise ConflictError(
                _(
                    "Somebody saved this article while you were resolving the amendment. "
                    "Review the current text and confirm again."
                ),
                current=article,
            )
        if text is None:
            base = amendment_base_text(comment, language)
            if current_text == base:
                final = comment.proposed_text
            else:
                # The article changed since the comment: merge both edits word by word.
                # What touches different words merges by itself; the rest is the drafter's.
                merge = merge3(base, current_text, comment.proposed_text, language)
                if not merge.clean:
                    raise AmendmentConflict(
                        _(
                            "The article has changed in the working version since this "
                            "amendment was proposed, and some changes touch the same words. "
                            "Decide on the final text."
                        ),
                        current=article,
                        merge=merge,
                    )
                final = merge.text
        else:
            final = clean_user_text(text)
            if not final:
                raise DomainError(_("The article text cannot be empty."), field="text")
        provision = provision_edit(
            provision=article,
            by=by,
            revision=article.revision,
            reason=f"Applied amendment #{comment.pk}",
            caused_by_comment_id=comment.pk,
            **{f"text_{language}": final},
        )
        _supersede_dropped(
            article=provision, by=by, superseded_by=comment, reason=superseded_reason
        )
        disposition_record(
            comment=comment,
            by=by,
            status=status,
            response=response,
            revision=disposition_revision,
            applied_in_version=working_version,
            reason=f"Amendment applied in version {working_version.number}",
        )
    return provision

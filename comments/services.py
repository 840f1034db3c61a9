"""Writes on comments, endorsements, dispositions, reports and moderation."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from drafts.models import DraftVersion, Provision
from portal.errors import ConflictError, DomainError
from portal.events import emit
from portal.text import clean_user_text
from stakeholders.policies import actor_for, ensure_can

from .models import Comment, Disposition, Endorsement, PassageCheck, Report, Visibility
from .rendering import render_markdown

QUOTE_CONTEXT = 32
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


def _acting_organisation(by):
    from stakeholders.models import Organisation

    actor = actor_for(by)
    return Organisation.objects.get(pk=actor.acting_org_id)


def _save_with_path(comment: Comment, parent: Comment | None) -> None:
    comment.save()
    segment = f"{comment.pk:012d}"
    comment.thread_path = f"{parent.thread_path}.{segment}" if parent else segment
    comment.skip_history_when_saving = True  # one history row per posting is enough
    comment.save(update_fields=["thread_path"])
    del comment.skip_history_when_saving


def comment_create(
    *,
    by,
    version: DraftVersion,
    provision: Provision,
    body: str,
    kind: str = Comment.Kind.COMMENT,
    visibility: str = Visibility.PUBLIC,
    quote_exact: str = "",
    quote_language: str = "en",
    proposed_text: str = "",
    posted_at: datetime | None = None,
) -> Comment:
    """Post a new thread on a provision of a version open for consultation."""
    ensure_can(by, "comment.create", version)
    if provision.version_id != version.pk or provision.removed_at is not None:
        raise DomainError(_("That provision is not part of this version."), field="provision")
    kind = _clean_choice(kind, Comment.Kind, "kind")
    visibility = _clean_choice(visibility, Visibility, "visibility")
    body = _clean_body(body)
    proposed_text = clean_user_text(proposed_text)
    if kind == Comment.Kind.AMENDMENT:
        if not proposed_text:
            raise DomainError(
                _("A proposed amendment needs the proposed text."), field="proposed_text"
            )
        if len(proposed_text) > settings.PORTAL["COMMENT_MAX_LENGTH"] * 3:
            raise DomainError(
                _("The proposed text is too long."), field="proposed_text", code="too_long"
            )
    else:
        proposed_text = ""
    quote_language = "km" if quote_language == "km" else "en"
    quote_exact = clean_user_text(quote_exact)
    prefix = suffix = ""
    if quote_exact:
        prefix, suffix = quote_selector(provision.text_in(quote_language), quote_exact)
    organisation = _acting_organisation(by)
    with transaction.atomic():
        comment = Comment(
            version=version,
            provision=provision,
            kind=kind,
            visibility=visibility,
            body=body,
            body_html=render_markdown(body),
            proposed_text=proposed_text,
            quote_exact=quote_exact,
            quote_prefix=prefix,
            quote_suffix=suffix,
            quote_language=quote_language if quote_exact else "",
            provision_text_at_posting=provision.text_en,
            author=by,
            organisation=organisation,
            thread_organisation=organisation,
            created_at=posted_at or timezone.now(),
        )
        comment._change_reason = "Posted"
        comment._history_user = by
        _save_with_path(comment, None)
        Disposition.objects.create(comment=comment)
        emit("comment.posted", comment_id=comment.pk)
    return comment


def comment_reply(
    *,
    by,
    parent: Comment,
    body: str,
    visibility: str = Visibility.PUBLIC,
    posted_at: datetime | None = None,
) -> Comment:
    """Reply to a comment at any depth (up to the configured limit).

    A reply is never less restricted than what it answers, so a restricted
    thread cannot leak through one of its replies.
    """
    ensure_can(by, "comment.reply", parent)
    visibility = _clean_choice(visibility, Visibility, "visibility")
    if _VISIBILITY_RANK[Visibility(parent.visibility)] > _VISIBILITY_RANK[Visibility(visibility)]:
        visibility = parent.visibility
    if parent.depth + 1 > settings.PORTAL["COMMENT_MAX_DEPTH"]:
        raise DomainError(
            _("This thread is too deep to reply to; reply to an earlier comment instead."),
            code="too_deep",
        )
    body = _clean_body(body)
    organisation = _acting_organisation(by)
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
            created_at=posted_at or timezone.now(),
        )
        comment._change_reason = "Replied"
        comment._history_user = by
        _save_with_path(comment, parent)
        emit("comment.replied", comment_id=comment.pk)
    return comment


def comment_edit(
    *, comment: Comment, by, body: str, revision: int, proposed_text: str | None = None
) -> Comment:
    """The author corrects a comment shortly after posting; earlier text stays in history."""
    ensure_can(by, "comment.edit", comment)
    body = _clean_body(body)
    with transaction.atomic():
        current = Comment.objects.select_for_update().select_related("version").get(pk=comment.pk)
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
        emit("comment.edited", comment_id=current.pk)
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
        emit("comment.withdrawn", comment_id=current.pk)
    return current


def comment_hide(*, comment: Comment, by, reason: str) -> Comment:
    """A moderator hides a comment; the author is told why and it can be restored."""
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
            emit("comment.endorsed", comment_id=comment.pk, organisation_id=organisation.pk)
    except IntegrityError:
        # A concurrent click from a colleague of the same organisation won the race.
        return Endorsement.objects.get(comment=comment, organisation=organisation)
    return endorsement


def endorsement_withdraw(*, comment: Comment, by) -> None:
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
        emit("disposition.recorded", comment_id=comment.pk)
    return disposition


def report_create(*, comment: Comment, by, reason: str) -> Report:
    """Ask the moderators to look at a comment."""
    ensure_can(by, "comment.report", comment)
    reason = clean_user_text(reason)
    if not reason:
        raise DomainError(_("Please say what is wrong with this comment."), field="reason")
    report = Report(comment=comment, reporter=by, reason=reason[:2000])
    report._history_user = by
    report.save()
    return report


def passage_checks_record(*, version: DraftVersion) -> int:
    """Look again, in a newly published version, for every earlier comment's passage.

    Each comment on an earlier version of the draft is marked: the provision
    was removed; the quoted passage (or, without a quote, the whole provision
    text) is unchanged; or it changed. Idempotent: checks already made stay.
    """
    current = {
        p.stable_id: p
        for p in Provision.objects.for_reading(version).only("stable_id", "text_en", "text_km")
    }
    done = set(PassageCheck.objects.filter(version=version).values_list("comment_id", flat=True))
    earlier = (
        Comment.objects.filter(
            version__draft_id=version.draft_id, version__number__lt=version.number
        )
        .exclude(pk__in=done)
        .select_related("provision")
        .only(
            "pk",
            "quote_exact",
            "quote_language",
            "provision__stable_id",
            "provision__text_en",
            "provision__text_km",
        )
    )
    checks = []
    for comment in earlier.iterator(chunk_size=2000):
        now_provision = current.get(comment.provision.stable_id)
        if now_provision is None:
            result = PassageCheck.Result.REMOVED
        elif comment.quote_exact:
            language = comment.quote_language or "en"
            found = comment.quote_exact in now_provision.text_in(language)
            result = PassageCheck.Result.UNCHANGED if found else PassageCheck.Result.CHANGED
        else:
            same = now_provision.text_en == comment.provision.text_en
            result = PassageCheck.Result.UNCHANGED if same else PassageCheck.Result.CHANGED
        checks.append(PassageCheck(comment_id=comment.pk, version=version, result=result))
    PassageCheck.objects.bulk_create(checks, batch_size=2000, ignore_conflicts=True)
    return len(checks)

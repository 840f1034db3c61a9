"""Who hears about the drafting desk's and the moderators' events.

Kept apart from ``fanout`` (the consultation's own events); the same rules hold:
every recipient is checked against ``stakeholders.policies`` first, and nobody is
told about what they did themselves.
"""

from django.contrib.auth import get_user_model

from comments.models import Comment, Report
from comments.services import reports_to_queue
from desk.models import Assignment
from stakeholders.models import Membership
from stakeholders.policies import can, drafting_org_ids

from .models import Kind
from .services import notify

User = get_user_model()


def comment_assigned(assignment_id: int) -> int:
    """The drafter a comment was given to, if it is still theirs and they may still have it."""
    assignment = (
        Assignment.objects.select_related("assignee", "assigned_by", "comment__version__draft")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or assignment.assignee is None:
        return 0
    assignee = assignment.assignee
    comment = assignment.comment
    draft = comment.version.draft
    if not assignee.is_active or assignee.pk == assignment.assigned_by_id:
        return 0
    if not can(assignee, "desk.assignee", draft):
        return 0
    made = notify(
        recipient=assignee,
        kind=Kind.ASSIGNED,
        key=f"{assignment.pk}:{assignment.revision}",
        actor=assignment.assigned_by,
        draft=draft,
        version=comment.version,
        comment=comment,
    )
    return int(made is not None)


def comment_reported(report_id: int) -> int:
    """The draft's moderators, once a comment has enough open reports to be queued.

    Alerted when the open reports reach ``PORTAL["REPORTS_TO_QUEUE"]``; later reports
    of the same comment add to the queue's count without a new alert.
    """
    report = (
        Report.objects.select_related("comment__version__draft", "reporter")
        .filter(pk=report_id, resolved_at__isnull=True)
        .first()
    )
    if report is None:
        return 0
    comment = report.comment
    open_reports = Report.objects.filter(comment=comment, resolved_at__isnull=True).count()
    if open_reports != reports_to_queue():
        return 0
    draft = comment.version.draft
    moderators = (
        User.objects.filter(
            is_active=True,
            memberships__role=Membership.Role.MODERATOR,
            memberships__is_active=True,
            memberships__organisation_id__in=drafting_org_ids(draft),
        )
        .exclude(pk=report.reporter_id)
        .distinct()
        .order_by("pk")
    )
    made = 0
    for moderator in moderators:
        if not can(moderator, "comment.moderate", comment):
            continue  # an ended membership: the policy has the last word
        made += (
            notify(
                recipient=moderator,
                kind=Kind.COMMENT_REPORTED,
                key=f"{comment.pk}:{report.pk}",
                draft=draft,
                version=comment.version,
                comment=comment,
                detail=report.reason,
            )
            is not None
        )
    return made


def comment_restored(comment_id: int) -> int:
    """The author of a hidden comment a moderator has restored."""
    comment = (
        Comment.objects.select_related("version__draft", "author").filter(pk=comment_id).first()
    )
    if comment is None or comment.state != Comment.State.ACTIVE or comment.hidden_at is None:
        return 0
    author = comment.author
    if not author.is_active or not can(author, "comment.view", comment):
        return 0
    made = notify(
        recipient=author,
        kind=Kind.COMMENT_RESTORED,
        key=f"{comment.pk}:{comment.revision}",
        draft=comment.version.draft,
        version=comment.version,
        comment=comment,
    )
    return int(made is not None)

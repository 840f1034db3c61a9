from comments import services
from comments.models import Comment
from stakeholders.policies import can, comment_visibility_filter


def test_restricted_comment_visibility(consultation):
    c = consultation
    note = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body="Note",
        visibility="restricted",
    )
    allowed = {"stakeholder_a", "drafter", "moderator", "official", "admin"}
    for role in (
        "anonymous",
        "stakeholder_a",
        "stakeholder_b",
        "drafter",
        "other_drafter",
        "moderator",
        "official",
        "admin",
    ):
        user = getattr(c, role)
        visible = (
            Comment.objects.filter(comment_visibility_filter(user, c.draft))
            .filter(pk=note.pk)
            .exists()
        )
        assert can(user, "comment.view", note) == (role in allowed) == visible, role
        across = Comment.objects.filter(comment_visibility_filter(user)).filter(pk=note.pk).exists()
        assert across == visible, role

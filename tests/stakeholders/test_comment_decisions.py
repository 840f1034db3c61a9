"""A list decides each comment rule once per kind of comment (``CommentDecisions``).

Whatever the kind of comment and the reader, the answer and the reason must be
those of ``why_not`` asked for that very comment: if a rule starts reading
something of a comment that ``comment_kind`` leaves out, this fails.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from stakeholders.policies import CommentDecisions, why_not

ACTIONS = (
    "comment.view",
    "comment.view_hidden",
    "comment.view_history",
    "comment.reply",
    "comment.edit",
    "comment.withdraw",
    "comment.endorse",
    "comment.unendorse",
    "comment.report",
    "comment.moderate",
    "comment.answer",
    "comment.apply",
)


def _comments(c):
    """Unsaved comments covering every value the rules look at, in every combination."""
    people = [c.stakeholder_a, c.stakeholder_b, c.individual, c.drafter]
    organisations = [c.org_a, c.org_b, None]
    now = timezone.now()
    made = []
    for i, (visibility, state, author, organisation, root, amendment, age) in enumerate(
        itertools.product(
            ("public", "participants", "restricted"),
            ("active", "withdrawn", "hidden"),
            people,
            organisations,
            (True, False),
            (True, False),
            (timedelta(minutes=1), timedelta(days=1)),
        )
    ):
        thread_author = people[i % len(people)]
        made.append(
            Comment(
                pk=i + 1,
                version=c.version,
                provision=c.article,
                parent_id=None if root else 10_000,
                visibility=visibility,
                state=state,
                author=author,
                organisation=organisation,
                thread_author=thread_author,
                thread_organisation=organisations[i % len(organisations)],
                kind="amendment" if amendment else "comment",
                proposed_text="New words." if amendment else "",
                created_at=now - age,
            )
        )
    return made


@pytest.mark.parametrize(
    "reader",
    ["anonymous", "stakeholder_a", "individual", "drafter", "moderator", "official", "admin"],
)
def test_decisions_per_kind_are_the_rules_answers(consultation, reader):
    c = consultation
    user = getattr(c, reader)
    decisions = CommentDecisions(user)
    for comment in _comments(c):
        for action in ACTIONS:
            assert decisions.why_not(action, comment) == why_not(user, action, comment), (
                reader,
                action,
                comment.visibility,
                comment.state,
                comment.author_id,
                comment.organisation_id,
            )


def test_only_comment_rules_are_decided_per_kind(consultation):
    with pytest.raises(KeyError):
        CommentDecisions(consultation.drafter).why_not("version.edit", consultation.version)

"""amendment_apply, the service: merging a proposed amendment into the working version.

These pin the current behaviour: the proposed text replaces the article's text
in the amendment's language when the article is unchanged since the comment;
otherwise a ConflictError carries the working article and the drafter passes
the final text.
"""

import pytest

from comments import services
from comments.models import Comment, Disposition
from core.errors import ConflictError, PolicyDenied
from drafts import services as draft_services


@pytest.fixture
def amendment(consultation):
    c = consultation
    return services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        kind=Comment.Kind.AMENDMENT,
        body="Require intent.",
        proposed_text=c.article.text_en.replace(
            "Nobody shall access", "Nobody shall intentionally access"
        ),
    )


@pytest.fixture
def working(consultation, amendment):
    return draft_services.version_start_next(draft=consultation.draft, by=consultation.drafter)


def _article(working, consultation):
    return working.provisions.get(stable_id=consultation.article.stable_id)


def test_unchanged_article_takes_the_proposed_text(consultation, amendment, working):
    c = consultation
    provision = services.amendment_apply(
        comment=amendment, by=c.drafter, working_version=working, response="Intent is required."
    )
    assert provision.text_en == amendment.proposed_text
    assert _article(working, c).text_en == amendment.proposed_text
    assert c.article.text_en != amendment.proposed_text  # the published version is untouched


def test_changed_article_raises_a_conflict_then_takes_the_resolved_text(
    consultation, amendment, working
):
    c = consultation
    article = _article(working, c)
    ours = article.text_en + " Penalties are set in Chapter 2."
    draft_services.provision_edit(
        provision=article, by=c.drafter, revision=article.revision, text_en=ours
    )
    with pytest.raises(ConflictError) as caught:
        services.amendment_apply(
            comment=amendment, by=c.drafter, working_version=working, response="Accepted."
        )
    current = caught.value.current
    assert current.pk == article.pk and current.text_en == ours  # the three-way inputs:
    assert services.amendment_base_text(amendment, "en") == c.article.text_en  # base
    assert amendment.proposed_text != current.text_en  # proposed differs from current
    assert Disposition.objects.get(comment=amendment).status == Disposition.Status.PENDING

    resolved = amendment.proposed_text + " Penalties are set in Chapter 2."
    provision = services.amendment_apply(
        comment=amendment,
        by=c.drafter,
        working_version=working,
        response="Merged with our own change.",
        text=resolved,
        status=Disposition.Status.PARTLY_ACCEPTED,
        working_revision=current.revision,
    )
    assert provision.text_en == resolved


def test_a_stale_working_revision_is_a_conflict(consultation, amendment, working):
    c = consultation
    article = _article(working, c)
    with pytest.raises(ConflictError):
        services.amendment_apply(
            comment=amendment,
            by=c.drafter,
            working_version=working,
            response="x",
            text="Some text.",
            working_revision=article.revision + 1,
        )


def test_a_stakeholder_may_not_apply(consultation, amendment, working):
    with pytest.raises(PolicyDenied):
        services.amendment_apply(
            comment=amendment,
            by=consultation.stakeholder_b,
            working_version=working,
            response="I accept my own amendment.",
        )
    assert "intentionally" not in _article(working, consultation).text_en


def test_a_reply_is_not_applied(consultation, amendment, working):
    c = consultation
    reply = services.comment_reply(parent=amendment, by=c.stakeholder_a, body="Agreed.")
    reply.kind, reply.proposed_text = Comment.Kind.AMENDMENT, amendment.proposed_text
    with pytest.raises(PolicyDenied):
        services.amendment_apply(comment=reply, by=c.drafter, working_version=working, response="x")


def test_the_disposition_is_recorded(consultation, amendment, working):
    c = consultation
    services.amendment_apply(
        comment=amendment,
        by=c.drafter,
        working_version=working,
        response="Intent is required.",
        status=Disposition.Status.PARTLY_ACCEPTED,
    )
    disposition = Disposition.objects.get(comment=amendment)
    assert disposition.status == Disposition.Status.PARTLY_ACCEPTED
    assert disposition.response == "Intent is required."
    assert disposition.applied_in_version_id == working.pk
    assert disposition.responded_by_id == c.drafter.pk


def test_the_history_row_names_the_comment(consultation, amendment, working):
    c = consultation
    provision = services.amendment_apply(
        comment=amendment, by=c.drafter, working_version=working, response="Intent is required."
    )
    row = provision.history.first()
    assert row.change_kind == "amendment_applied"
    assert row.caused_by_comment_id == amendment.pk
    assert row.history_user_id == c.drafter.pk

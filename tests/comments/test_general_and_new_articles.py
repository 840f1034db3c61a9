"""General comments (on the whole draft), chapter comments and proposals for a new article.

A general comment has no provision; a chapter comment is on the chapter's own
provision; a proposal for a new article is on the provision it should follow
and, applied, inserts the article into the working version there.
"""

import pytest

from comments import services
from comments.matrix import response_matrix
from comments.models import Comment, Disposition
from comments.proposals import new_article_apply
from comments.trace import changes_from_comments
from core.errors import DomainError, PolicyDenied
from drafts import services as draft_services
from drafts.models import Provision, ProvisionChange


def _chapter(c, number=1):
    return c.version.provisions.get(stable_id=f"chp_{number}")


@pytest.fixture
def proposal(consultation):
    c = consultation
    return services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.articles["chp_1__art_1"],
        kind=Comment.Kind.NEW_ARTICLE,
        body="Add a definition of a computer system.",
        proposed_text="A computer system is any device that processes data.",
        proposed_text_km="ប្រព័ន្ធកុំព្យូទ័រ គឺជាឧបករណ៍ណាមួយដែលដំណើរការទិន្នន័យ។",
    )


def test_a_general_comment_is_on_no_provision(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.individual, version=c.version, provision=None, body="The law is too broad."
    )
    assert comment.is_general and comment.provision_id is None
    assert str(comment.target_label) == "The whole draft"
    reply = services.comment_reply(by=c.drafter, parent=comment, body="We will narrow it.")
    assert reply.provision_id is None and reply.root_id == comment.pk


@pytest.mark.parametrize("kind", [Comment.Kind.AMENDMENT, Comment.Kind.NEW_ARTICLE])
def test_a_general_comment_cannot_amend_or_propose(consultation, kind):
    c = consultation
    with pytest.raises(DomainError) as caught:
        services.comment_create(
            by=c.stakeholder_a,
            version=c.version,
            provision=None,
            kind=kind,
            body="x",
            proposed_text="y",
        )
    assert caught.value.field == "kind"
    assert not Comment.objects.exists()


def test_a_general_comment_ignores_a_quote(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=None, body="x", quote_exact="Nobody"
    )
    assert comment.quote_exact == ""


def test_a_chapter_comment_is_on_the_chapter(consultation):
    c = consultation
    chapter = _chapter(c)
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=chapter, body="This chapter is vague."
    )
    assert comment.provision == chapter and not comment.is_general
    assert comment.target_label == chapter.label


def test_a_new_article_needs_its_text(consultation):
    c = consultation
    with pytest.raises(DomainError) as caught:
        services.comment_create(
            by=c.stakeholder_a,
            version=c.version,
            provision=c.article,
            kind=Comment.Kind.NEW_ARTICLE,
            body="Add one.",
        )
    assert caught.value.field == "proposed_text"


def test_a_new_article_keeps_both_languages(proposal):
    assert proposal.proposed_text.startswith("A computer system")
    assert proposal.proposed_text_km.startswith("ប្រព័ន្ធ")
    assert "New article after" in str(proposal.target_label)


def test_a_khmer_only_new_article_is_accepted(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=_chapter(c, 2),
        kind=Comment.Kind.NEW_ARTICLE,
        body="បន្ថែមមាត្រាថ្មី។",
        proposed_text_km="មាត្រាថ្មី។",
    )
    assert comment.proposed_text == "" and comment.proposed_text_km == "មាត្រាថ្មី។"


def test_other_kinds_drop_the_khmer_proposed_text(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="x", proposed_text_km="y"
    )
    assert comment.proposed_text_km == ""


def test_applying_a_new_article_inserts_it_after_its_anchor(consultation, proposal):
    c = consultation
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    article = new_article_apply(
        comment=proposal, by=c.drafter, working_version=working, response="A useful definition."
    )
    order = [p.stable_id for p in Provision.objects.for_reading(working)]
    assert order.index(article.stable_id) == order.index("chp_1__art_1") + 1
    assert article.parent.stable_id == "chp_1"
    assert article.text_en == proposal.proposed_text
    assert article.text_km == proposal.proposed_text_km
    # Existing provisions keep their stable ids and numbers; the new one gets its own id.
    assert {"chp_1__art_1", "chp_1__art_2", "chp_2__art_3"} <= set(order)
    assert article.stable_id == "chp_1__art_new"
    assert working.provisions.get(stable_id="chp_1__art_2").number == "2"
    row = article.history.latest()
    assert row.change_kind == ProvisionChange.ADDED
    assert row.caused_by_comment_id == proposal.pk
    disposition = Disposition.objects.get(comment=proposal)
    assert disposition.status == Disposition.Status.ACCEPTED
    assert disposition.applied_in_version_id == working.pk


def test_a_new_article_after_a_chapter_heading_comes_first_in_it(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=_chapter(c, 2),
        kind=Comment.Kind.NEW_ARTICLE,
        body="Add a purpose clause.",
        proposed_text="This chapter protects data.",
    )
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    article = new_article_apply(
        comment=comment, by=c.drafter, working_version=working, response="Yes.", number="3"
    )
    order = [p.stable_id for p in Provision.objects.for_reading(working)]
    assert order.index(article.stable_id) == order.index("chp_2") + 1
    assert article.parent.stable_id == "chp_2" and article.number == "3"


def test_a_proposal_is_applied_once_and_only_by_drafters(consultation, proposal):
    c = consultation
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    with pytest.raises(PolicyDenied):
        new_article_apply(
            comment=proposal, by=c.stakeholder_b, working_version=working, response="x"
        )
    new_article_apply(comment=proposal, by=c.drafter, working_version=working, response="Yes.")
    with pytest.raises(DomainError):
        new_article_apply(comment=proposal, by=c.drafter, working_version=working, response="Yes.")
    assert working.provisions.filter(stable_id__startswith="chp_1__art_new").count() == 1


def test_an_applied_new_article_is_in_the_trace(consultation, proposal):
    c = consultation
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    article = new_article_apply(
        comment=proposal, by=c.drafter, working_version=working, response="Added."
    )
    trace = changes_from_comments(version=working, user=c.drafter)
    change = trace.for_stable_id(article.stable_id)
    assert change is not None
    assert [b.comment.pk for b in change.comments] == [proposal.pk]
    assert change.comments[0].how == "applied"


def test_the_matrix_puts_general_comments_first(consultation, proposal):
    c = consultation
    general = services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=None, body="Overall, welcome."
    )
    rows = response_matrix(version=c.version, user=c.drafter)
    assert rows[0].comment_id == general.pk
    assert str(rows[0].article_label) == "The whole draft" and rows[0].article_stable_id == ""
    new_row = next(r for r in rows if r.comment_id == proposal.pk)
    assert proposal.proposed_text in new_row.text and proposal.proposed_text_km in new_row.text


def test_a_general_draft_of_a_comment_can_be_saved_and_submitted(consultation):
    c = consultation
    saved = services.comment_draft_save(
        by=c.individual, version=c.version, provision=None, body="Later."
    )
    comment = services.comment_draft_submit(comment_draft=saved, by=c.individual)
    assert comment.is_general


def test_a_general_comment_cannot_be_said_addressed_by_an_article_edit(consultation):
    c = consultation
    general = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=None, body="Overall."
    )
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    with pytest.raises(DomainError):
        services.ensure_addressable(
            comment=general,
            provision=working.provisions.get(stable_id=c.article.stable_id),
            by=c.drafter,
        )


def test_the_receipt_of_a_new_article_copies_both_texts(consultation, proposal):
    from comments.receipts import build_receipt

    message = build_receipt(Comment.objects.get(pk=proposal.pk))
    assert "New article after Article 1" in message.body
    assert proposal.proposed_text in message.body
    assert proposal.proposed_text_km in message.body


def test_the_receipt_of_a_general_comment_says_the_whole_draft(consultation):
    from comments.receipts import build_receipt

    c = consultation
    comment = services.comment_create(
        by=c.individual, version=c.version, provision=None, body="Overall."
    )
    assert "On: The whole draft" in build_receipt(comment).body

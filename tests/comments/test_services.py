import pytest

from comments import services
from comments.models import Comment
from core.errors import DomainError, PolicyDenied
from drafts.models import DraftVersion
from stakeholders.models import Membership
from stakeholders.services import membership_end, membership_grant
from tests.factories import OrganisationFactory


def test_comment_keeps_its_organisation_after_author_changes_organisation(consultation):
    alice = consultation.stakeholder_a
    comment = services.comment_create(
        by=alice, version=consultation.version, provision=consultation.article, body="Too broad."
    )
    new_org = OrganisationFactory(slug="newngo")
    membership_grant(
        organisation=new_org, user=alice, role=Membership.Role.STAKEHOLDER, by=consultation.admin
    )
    membership_end(
        membership=alice.memberships.get(organisation=consultation.org_a), by=consultation.admin
    )
    comment.refresh_from_db()
    assert comment.organisation == consultation.org_a
    alice.refresh_from_db()
    reply = services.comment_reply(by=alice, parent=comment, body="Now speaking for a new group.")
    assert reply.organisation == new_org


def test_withdrawing_keeps_the_row_and_its_history(consultation):
    alice = consultation.stakeholder_a
    comment = services.comment_create(
        by=alice,
        version=consultation.version,
        provision=consultation.article,
        body="Original words.",
    )
    services.comment_withdraw(comment=comment, by=alice, reason="Covered elsewhere")
    comment.refresh_from_db()
    assert comment.state == Comment.State.WITHDRAWN
    assert comment.body == "Original words."
    reasons = list(
        comment.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Posted", "Withdrawn by author"]


def test_quote_is_anchored_with_prefix_and_suffix(consultation):
    article = consultation.article
    comment = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=article,
        body="Define 'without right'.",
        quote_exact="without right",
    )
    assert comment.quote_prefix.endswith("access a computer system ")
    assert comment.quote_suffix.startswith(".")


def test_quote_not_in_text_is_refused(consultation):
    with pytest.raises(DomainError) as caught:
        services.comment_create(
            by=consultation.stakeholder_a,
            version=consultation.version,
            provision=consultation.article,
            body="x",
            quote_exact="not in the article",
        )
    assert caught.value.field == "quote_exact"
    assert not Comment.objects.exists()


def test_threads_nest_to_any_depth_and_sort_in_order(consultation):
    alice, bob = consultation.stakeholder_a, consultation.stakeholder_b
    root = services.comment_create(
        by=alice, version=consultation.version, provision=consultation.article, body="Root"
    )
    parent = root
    for depth in range(1, 6):
        parent = services.comment_reply(
            by=bob if depth % 2 else alice, parent=parent, body=f"Level {depth}"
        )
    sibling = services.comment_reply(by=bob, parent=root, body="Second answer to root")
    ordered = list(
        Comment.objects.filter(root=root).order_by("thread_path").values_list("depth", flat=True)
    )
    assert ordered == [1, 2, 3, 4, 5, 1]
    assert sibling.root_id == root.pk
    assert parent.depth == 5


def test_reply_is_never_less_restricted_than_its_parent(consultation):
    note = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="Diplomatic note",
        visibility="restricted",
    )
    reply = services.comment_reply(
        by=consultation.drafter, parent=note, body="Thank you", visibility="public"
    )
    assert reply.visibility == "restricted"
    assert reply.thread_organisation_id == consultation.org_a.pk


def test_posting_after_the_consultation_closed_is_refused(consultation):
    version = consultation.version
    version.status = DraftVersion.Status.CLOSED
    version.save()
    with pytest.raises(PolicyDenied, match="not open"):
        services.comment_create(
            by=consultation.stakeholder_a,
            version=version,
            provision=consultation.article,
            body="Late",
        )
    assert not Comment.objects.exists()


def test_amendment_needs_proposed_text(consultation):
    with pytest.raises(DomainError):
        services.comment_create(
            by=consultation.stakeholder_a,
            version=consultation.version,
            provision=consultation.article,
            body="Change it",
            kind="amendment",
        )


def test_markdown_is_sanitised(consultation):
    comment = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)",
    )
    assert "<strong>Bold</strong>" in comment.body_html
    assert "<script" not in comment.body_html
    assert 'href="javascript' not in comment.body_html
    assert 'rel="nofollow' in comment.body_html


def test_disposition_needs_a_drafter_and_a_response(consultation):
    comment = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="x",
    )
    with pytest.raises(PolicyDenied):
        services.disposition_record(
            comment=comment, by=consultation.other_drafter, status="accepted", response="ok"
        )
    with pytest.raises(DomainError):
        services.disposition_record(
            comment=comment, by=consultation.drafter, status="rejected", response=""
        )
    disposition = services.disposition_record(
        comment=comment,
        by=consultation.drafter,
        status="partly_accepted",
        response="We narrowed it.",
    )
    assert disposition.responded_by == consultation.drafter
    assert disposition.history.count() == 2


def test_endorsement_once_per_organisation_and_not_own(consultation):
    comment = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="x",
    )
    with pytest.raises(PolicyDenied):
        services.endorsement_create(comment=comment, by=consultation.stakeholder_a)
    first = services.endorsement_create(comment=comment, by=consultation.stakeholder_b)
    again = services.endorsement_create(comment=comment, by=consultation.stakeholder_b)
    assert first.pk == again.pk
    assert comment.endorsements.count() == 1

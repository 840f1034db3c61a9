"""amendment_apply, the service: merging a proposed amendment into the working version.

These pin the current behaviour: the proposed text replaces the article's text
in the amendment's language when the article is unchanged since the comment;
otherwise a ConflictError carries the working article and the drafter passes
the final text.
"""

import pytest

from comments import services
from comments.amendments import article_text, inserted_runs, words_present
from comments.matrix import response_matrix
from comments.models import Comment, Disposition
from core.errors import ConflictError, DomainError, PolicyDenied
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


def test_changed_article_merges_when_the_changes_touch_different_words(
    consultation, amendment, working
):
    c = consultation
    article = _article(working, c)
    ours = article.text_en + " Penalties are set in Chapter 2."
    draft_services.provision_edit(
        provision=article, by=c.drafter, revision=article.revision, text_en=ours
    )
    provision = services.amendment_apply(
        comment=amendment, by=c.drafter, working_version=working, response="Accepted."
    )
    assert provision.text_en == amendment.proposed_text + " Penalties are set in Chapter 2."
    assert Disposition.objects.get(comment=amendment).applied_in_version_id == working.pk


def test_changed_article_raises_a_conflict_then_takes_the_resolved_text(
    consultation, amendment, working
):
    c = consultation
    article = _article(working, c)
    ours = article.text_en.replace("Nobody shall access", "Nobody may enter")
    draft_services.provision_edit(
        provision=article, by=c.drafter, revision=article.revision, text_en=ours
    )
    with pytest.raises(ConflictError) as caught:
        services.amendment_apply(
            comment=amendment, by=c.drafter, working_version=working, response="Accepted."
        )
    current = caught.value.current
    assert current.pk == article.pk
    assert current.text_en == ours
    assert services.amendment_base_text(amendment, "en") == c.article.text_en  # base
    merge = caught.value.merge  # and their merge: ours kept where both changed the words
    assert merge.text == ours
    assert [(x.ours, x.theirs) for x in merge.conflicts] == [
        ("may enter", "shall intentionally access")
    ]
    assert Disposition.objects.get(comment=amendment).status == Disposition.Status.PENDING

    resolved = ours.replace("may enter", "may intentionally enter")
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


# --- amendments applied one after another to the same article ------------------------


def _propose(consultation, old, new, *, by=None, provision=None, language="en"):
    """An amendment on article 1 of version 1 replacing ``old`` with ``new``."""
    provision = provision or consultation.article
    text = provision.text_km if language == "km" else provision.text_en
    assert old in text
    return services.comment_create(
        by=by or consultation.stakeholder_b,
        version=consultation.version,
        provision=provision,
        kind=Comment.Kind.AMENDMENT,
        body="Please change it.",
        proposed_text=text.replace(old, new, 1),
    )


def _apply(consultation, comment, working, **kwargs):
    return services.amendment_apply(
        comment=comment,
        by=consultation.drafter,
        working_version=working,
        response=f"Accepted #{comment.pk}.",
        **kwargs,
    )


def _assert_record_is_true(consultation, working, amendments):
    """Every accepted-and-applied amendment's words are in the text, or it says it was superseded."""
    article = _article(working, consultation)
    rows = {r.comment_id: r for r in response_matrix(version=consultation.version, user=None)}
    for comment in amendments:
        disposition = Disposition.objects.get(comment=comment)
        assert disposition.status in (
            Disposition.Status.ACCEPTED,
            Disposition.Status.PARTLY_ACCEPTED,
        )
        assert disposition.applied_in_version_id == working.pk
        present = words_present(inserted_runs(comment), article_text(article, "en"), "en")
        if disposition.superseded_at is None:
            assert present, f"#{comment.pk} claims applied but its words are gone"
            assert rows[comment.pk].landed_in == working.number
            assert rows[comment.pk].superseded == ""
        else:
            assert disposition.superseded_reason
            assert rows[comment.pk].landed_in == ""  # the matrix no longer claims "applied"
            assert rows[comment.pk].superseded.startswith("Superseded")


FIVE_CHANGES = (
    ("Scope:", "Scope and purpose:"),
    ("protects computer", "protects and secures computer"),
    ("and data in", "and personal data in"),
    ("shall access", "shall intentionally access"),
    ("without right.", "without right or lawful excuse."),
)


@pytest.mark.parametrize("count", [2, 3, 5])
def test_amendments_to_different_words_applied_in_sequence_all_land(consultation, count):
    c = consultation
    amendments = [_propose(c, old, new) for old, new in FIVE_CHANGES[:count]]
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    for amendment in amendments:
        _apply(c, amendment, working)  # no conflict: each merges into what came before
    text = _article(working, c).text_en
    for _old, new in FIVE_CHANGES[:count]:
        assert new in text
    _assert_record_is_true(c, working, amendments)
    assert not Disposition.objects.filter(superseded_at__isnull=False).exists()


def test_overlapping_amendment_conflicts_and_keeps_the_first_ones_words(consultation):
    """The issue: #307 applied, then #353 on the same words must not silently drop #307."""
    c = consultation
    first = _propose(c, "shall access", "shall intentionally access")
    second = _propose(c, "shall access a", "may enter a", by=c.stakeholder_a)
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    _apply(c, first, working)
    with pytest.raises(ConflictError) as caught:
        _apply(c, second, working)
    merge = caught.value.merge
    assert "intentionally" in merge.text
    assert not merge.clean

    # Taking the proposer's raw text would drop #first's words: refused without a reason.
    article = _article(working, c)
    with pytest.raises(DomainError) as refused:
        _apply(c, second, working, text=second.proposed_text, working_revision=article.revision)
    assert refused.value.field == "superseded_reason"
    assert f"#{first.pk}" in refused.value.message
    assert "may enter" not in _article(working, c).text_en  # nothing saved
    _assert_record_is_true(c, working, [first])

    # Keeping both is accepted as it is.
    both = article.text_en.replace("shall intentionally access", "may intentionally enter")
    _apply(c, second, working, text=both, working_revision=article.revision)
    _assert_record_is_true(c, working, [first, second])
    assert Disposition.objects.get(comment=first).superseded_at is None


def test_dropping_an_applied_amendment_with_a_reason_records_it_as_superseded(consultation):
    c = consultation
    first = _propose(c, "shall access", "shall intentionally access")
    second = _propose(c, "without right.", "without right or lawful excuse.")
    third = _propose(c, "shall access a", "may enter a", by=c.stakeholder_a)
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    _apply(c, first, working)
    _apply(c, second, working)
    with pytest.raises(ConflictError):
        _apply(c, third, working)
    article = _article(working, c)
    final = article.text_en.replace("shall intentionally access", "may enter")
    _apply(
        c,
        third,
        working,
        text=final,
        working_revision=article.revision,
        superseded_reason="Entering covers access; intent is in article 5.",
    )
    assert _article(working, c).text_en == final
    disposition = Disposition.objects.get(comment=first)
    assert disposition.superseded_by_id == third.pk
    assert disposition.superseded_reason == "Entering covers access; intent is in article 5."
    assert disposition.status == Disposition.Status.ACCEPTED  # the decision stands, in history
    assert disposition.history.first().history_change_reason == (
        f"Superseded by amendment #{third.pk}"
    )
    assert Disposition.objects.get(comment=second).superseded_at is None
    _assert_record_is_true(c, working, [first, second, third])
    row = next(r for r in response_matrix(version=c.version) if r.comment_id == first.pk)
    assert row.superseded == (
        f"Superseded by #{third.pk}: Entering covers access; intent is in article 5."
    )


def test_five_amendments_with_overlaps(consultation):
    c = consultation
    changes = [
        *FIVE_CHANGES[:3],
        ("shall access", "shall intentionally access"),
        ("shall access", "shall knowingly access"),  # overlaps the one before
    ]
    amendments = [_propose(c, old, new) for old, new in changes]
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    for amendment in amendments[:4]:
        _apply(c, amendment, working)
    with pytest.raises(ConflictError):
        _apply(c, amendments[4], working)
    article = _article(working, c)
    _apply(
        c,
        amendments[4],
        working,
        text=article.text_en.replace("intentionally", "knowingly"),
        working_revision=article.revision,
        superseded_reason="“Knowingly” is the term of the Criminal Code.",
    )
    _assert_record_is_true(c, working, amendments)
    assert Disposition.objects.get(comment=amendments[3]).superseded_by_id == amendments[4].pk
    assert Disposition.objects.filter(superseded_at__isnull=False).count() == 1


def test_a_drafters_own_edit_that_drops_applied_words_needs_a_reason(consultation):
    c = consultation
    first = _propose(c, "shall access", "shall intentionally access")
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    _apply(c, first, working)
    article = _article(working, c)
    reverted = article.text_en.replace("intentionally ", "")
    with pytest.raises(DomainError) as refused:
        services.provision_edit_checked(
            provision=article, by=c.drafter, revision=article.revision, text_en=reverted
        )
    assert refused.value.field == "superseded_reason"
    assert "intentionally" in _article(working, c).text_en  # the save was rolled back
    # An edit that keeps the words needs no reason.
    kept = services.provision_edit_checked(
        provision=article,
        by=c.drafter,
        revision=article.revision,
        text_en=article.text_en + " Penalties are set in Chapter 2.",
    )
    services.provision_edit_checked(
        provision=kept,
        by=c.drafter,
        revision=kept.revision,
        text_en=reverted,
        superseded_reason="Intent is presumed.",
    )
    disposition = Disposition.objects.get(comment=first)
    assert disposition.superseded_by_id is None
    assert disposition.superseded_reason == "Intent is presumed."
    _assert_record_is_true(c, working, [first])


def test_a_khmer_amendment_applied_after_another_keeps_both(consultation):
    c = consultation
    first = _propose(c, "ប្រព័ន្ធកុំព្យូទ័រ", "ប្រព័ន្ធកុំព្យូទ័រ បណ្តាញ", language="km")
    second = _propose(c, "ទិន្នន័យ", "ទិន្នន័យផ្ទាល់ខ្លួន", language="km")
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    _apply(c, first, working)
    _apply(c, second, working)
    text = _article(working, c).text_km
    assert "បណ្តាញ" in text
    assert "ទិន្នន័យផ្ទាល់ខ្លួន" in text
    for amendment in (first, second):
        assert words_present(inserted_runs(amendment), text, "km")


def test_words_present_reads_whole_words_in_order():
    text = "Nobody may lawfully enter a computer system."
    assert words_present(["may enter"], text, "en")  # in order, not necessarily side by side
    assert not words_present(["enter may"], text, "en")
    assert not words_present(["law"], text, "en")  # whole words only
    assert words_present(["បណ្តាញ", "ផ្ទាល់ខ្លួន"], "ប្រព័ន្ធ បណ្តាញ និងទិន្នន័យផ្ទាល់ខ្លួន", "km")
    assert not words_present(["ផ្ទាល់ខ្លួន", "បណ្តាញ"], "ប្រព័ន្ធ បណ្តាញ និងទិន្នន័យផ្ទាល់ខ្លួន", "km")

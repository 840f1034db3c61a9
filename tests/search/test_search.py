"""Search itself, on whichever database the suite runs on (SQLite by default, PostgreSQL in CI).

English and Khmer words, phrases, numbers in both scripts, facets, snippets
that escape HTML, and the permission module's rules: a comment someone may not
read is never found, counted or quoted for them.
"""

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments import services as comment_services
from comments.models import Comment
from core.models import OutboxEvent
from drafts import services as draft_services
from drafts.models import Provision
from search import services
from search.models import Entry, Reindex
from search.selectors import SearchParams, search, visible_entries
from search.tasks import search_index_version
from stakeholders.policies import comment_text_filter, comment_visibility_filter
from tests.security.test_permission_matrix import MATRIX, ROLES

from .conftest import KHMER_SENTENCE, WORDS


def find(user, q="", **filters):
    return search(user=user, params=SearchParams(q=q, **filters))


def comment_ids(results):
    return [hit.entry.comment_id for hit in results.hits if hit.source == "comment"]


def facet(results, name):
    for f in results.facets:
        if f.name == name:
            return {v.value: v.count for v in f.values}
    return {}


# --- words --------------------------------------------------------------------------------


def test_an_english_word_finds_the_comment_and_stems(corpus):
    results = find(corpus.c.anonymous, "lighthouses")
    assert comment_ids(results) == [corpus.public.pk]
    assert "<mark>lighthouse</mark>" in results.hits[0].snippet


def test_a_khmer_word_inside_a_spaceless_sentence_is_found(corpus):
    results = find(corpus.c.anonymous, "ទិន្នន័យផ្ទាល់ខ្លួន")
    assert comment_ids(results) == [corpus.khmer.pk]
    assert "<mark>ទិន្នន័យ</mark>" in results.hits[0].snippet
    # The sentence itself, as a reader sees it, once the marks and word breaks are taken out.
    shown = str(results.hits[0].snippet).replace("<mark>", "").replace("</mark>", "")
    assert shown.replace("\u200b", "") == KHMER_SENTENCE


def test_an_english_query_does_not_find_khmer_text_and_a_khmer_one_no_english(corpus):
    assert all(h.entry.language == "en" for h in find(corpus.c.anonymous, "computer").hits)
    assert all(h.entry.language == "km" for h in find(corpus.c.anonymous, "ប្រព័ន្ធ").hits)


def test_the_law_is_found_in_both_languages_with_article_numbers_in_either_script(corpus):
    article = corpus.c.article
    khmer = find(corpus.c.anonymous, "មាត្រា ១", type="provision")
    assert [(h.entry.provision_id, h.entry.language) for h in khmer.hits][:1] == [
        (article.pk, "km")
    ]
    latin = find(corpus.c.anonymous, "មាត្រា 1", type="provision")
    assert [h.entry.pk for h in latin.hits] == [h.entry.pk for h in khmer.hits]
    english = find(corpus.c.anonymous, '"article ១"', type="provision", language="en")
    assert article.pk in [h.entry.provision_id for h in english.hits]


def test_a_phrase_needs_its_words_together(corpus):
    assert comment_ids(find(corpus.c.anonymous, '"protects computer systems"')) == [
        corpus.public.pk
    ]
    assert comment_ids(find(corpus.c.anonymous, '"computer protects"')) == []
    # Without quotation marks the words may stand anywhere.
    assert corpus.public.pk in comment_ids(find(corpus.c.anonymous, "computer protects"))


def test_a_word_can_be_left_out(corpus):
    assert comment_ids(find(corpus.c.anonymous, "lighthouse -press")) == []
    assert comment_ids(find(corpus.c.anonymous, "lighthouse -interception")) == [corpus.public.pk]


def test_responses_and_organisations_are_found(corpus):
    results = find(corpus.c.anonymous, "Penal Code")
    assert [(h.source, h.entry.comment_id) for h in results.hits] == [
        ("response", corpus.answered.pk)
    ]
    organisations = find(corpus.c.anonymous, "Mekong", type="organisation")
    assert [h.entry.organisation_id for h in organisations.hits] == [corpus.c.org_b.pk]
    # The organisation's name also finds what it said.
    said = find(corpus.c.anonymous, "Mekong", type="comment")
    assert comment_ids(said) == [corpus.answered.pk]


def test_snippets_escape_html_and_carry_only_our_marks(corpus):
    results = find(corpus.c.anonymous, "alert bold")
    (hit,) = results.hits
    html = str(hit.snippet)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;<mark>alert</mark>" in html
    assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_smuggled_mark_character_cannot_open_a_tag(corpus):
    comment_services.comment_edit(
        comment=corpus.public,
        by=corpus.c.stakeholder_a,
        body="lighthouse \ue000<img src=x>\ue001",
        revision=corpus.public.revision,
    )
    (hit,) = find(corpus.c.anonymous, "lighthouse").hits
    assert str(hit.snippet).count("<mark>") == 1
    assert "<img" not in str(hit.snippet)


# --- facets and sorting ---------------------------------------------------------------------


def test_facet_counts(corpus):
    c = corpus.c
    results = find(c.official, type="comment")
    assert results.total == 8
    assert facet(results, "type") == {"comment": 8}
    assert facet(results, "kind") == {"comment": 7, "question": 1}
    assert facet(results, "organisation_kind") == {"ngo": 7, "private_sector": 1}
    assert facet(results, "disposition") == {"pending": 7, "accepted": 1}
    assert facet(results, "draft") == {c.draft.slug: 8}
    assert facet(results, "version") == {str(c.version.pk): 8}
    scoped = find(c.official, type="comment", draft=c.draft.slug)
    assert facet(scoped, "article") == {
        c.article.stable_id: 7,
        corpus.answered.provision.stable_id: 1,
    }
    # A question's thread: the question, and the ministry's response to it.
    assert facet(find(c.official, kind="question"), "type") == {"comment": 1, "response": 1}
    assert find(c.official, disposition="accepted", type="comment").total == 1


def test_the_date_range_and_sorting(corpus):
    c = corpus.c
    today = timezone.localdate(corpus.public.created_at)  # days are the portal's days
    assert find(c.anonymous, type="comment", date_from=today, date_to=today).total == 5
    assert find(c.anonymous, type="comment", date_to=today.replace(year=today.year - 1)).total == 0
    newest = find(c.anonymous, type="comment", sort="newest")
    oldest = find(c.anonymous, type="comment", sort="oldest")
    assert comment_ids(newest) == comment_ids(oldest)[::-1]


# --- who finds what ---------------------------------------------------------------------------

READS = {
    "read.public": "public",
    "read.participants": "participants",
    "read.restricted": "restricted",
    "read.hidden_text": "hidden",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_what_the_matrix_lets_it_read(corpus, role):
    """docs/permissions.md's read rows, for search: results, counts and snippets."""
    user = getattr(corpus.c, role)
    everything = find(user, type="comment")
    for row, attribute in READS.items():
        comment = getattr(corpus, attribute)
        expected = MATRIX[row][role]
        results = find(user, WORDS[attribute])
        assert (comment.pk in comment_ids(results)) is expected, f"{row} for {role}"
        assert (results.total == 1) is expected, f"{row} count for {role}"
        assert (comment.pk in comment_ids(everything)) is expected, f"{row} listed for {role}"
        if not expected:
            assert results.facets == []
    # A withdrawn comment stays readable where it is visible, as on its thread page.
    assert comment_ids(find(user, WORDS["withdrawn"])) == [corpus.withdrawn.pk]


def test_the_index_copy_of_who_may_see_agrees_with_the_live_comments(corpus):
    """The rows' copies of visibility, state and authorship, read by the policy's filters,
    give the same comments as the same filters on the live comments, for every role."""
    c = corpus.c
    comment_services.comment_restore(comment=corpus.hidden, by=c.moderator, reason="On appeal")
    comment_services.comment_hide(comment=corpus.public, by=c.moderator, reason="Off topic")
    comment_services.comment_reply(
        by=c.drafter,
        parent=corpus.restricted,
        body="A restricted reply",
        visibility="restricted",
    )
    for role in ROLES:
        user = getattr(c, role)
        live = set(Comment.objects.filter(comment_text_filter(user)).values_list("pk", flat=True))
        indexed = set(
            visible_entries(user)
            .filter(source=Entry.Source.COMMENT)
            .values_list("comment_id", flat=True)
        )
        assert indexed == live, role
        seen = set(
            Comment.objects.filter(comment_visibility_filter(user)).values_list("pk", flat=True)
        )
        answered = set(
            visible_entries(user)
            .filter(source=Entry.Source.RESPONSE)
            .values_list("comment_id", flat=True)
        )
        assert answered == seen & {corpus.answered.pk}, role


def test_counts_leave_out_what_the_reader_may_not_read(corpus):
    c = corpus.c
    # anonymous: public comments only (not participants, restricted, or the hidden one's words)
    assert find(c.anonymous, type="comment").total == 5
    assert find(c.stakeholder_b, type="comment").total == 6
    assert find(c.stakeholder_a, type="comment").total == 8
    assert facet(find(c.anonymous, type="comment"), "kind") == {"comment": 4, "question": 1}


def test_a_hidden_comments_response_shows_as_on_its_thread(corpus):
    c = corpus.c
    comment_services.comment_hide(comment=corpus.answered, by=c.moderator, reason="Spam")
    assert comment_ids(find(c.anonymous, "interception", type="comment")) == []
    response = find(c.anonymous, "Penal Code")
    assert [h.source for h in response.hits] == ["response"]


# --- the index follows every write --------------------------------------------------------------


def test_edits_hides_and_restores_reach_the_index_at_once(corpus):
    c = corpus.c
    comment_services.comment_edit(
        comment=corpus.public,
        by=c.stakeholder_a,
        body="A beacon now",
        revision=corpus.public.revision,
    )
    assert comment_ids(find(c.anonymous, "lighthouse")) == []
    assert comment_ids(find(c.anonymous, "beacon")) == [corpus.public.pk]
    comment_services.comment_hide(comment=corpus.public, by=c.moderator, reason="Off topic")
    assert comment_ids(find(c.anonymous, "beacon")) == []
    assert comment_ids(find(c.moderator, "beacon")) == [corpus.public.pk]
    comment_services.comment_restore(comment=corpus.public, by=c.moderator, reason="On appeal")
    assert comment_ids(find(c.anonymous, "beacon")) == [corpus.public.pk]


def test_a_reply_and_a_changed_decision_are_indexed(corpus):
    c = corpus.c
    reply = comment_services.comment_reply(
        by=c.stakeholder_b, parent=corpus.public, body="We share the worry about lanterns"
    )
    assert comment_ids(find(c.anonymous, "lanterns")) == [reply.pk]
    comment_services.disposition_record(
        comment=corpus.public,
        by=c.drafter,
        status="rejected",
        response="Harbours are out of scope.",
    )
    assert [h.source for h in find(c.anonymous, "harbours").hits] == ["response"]
    assert find(c.anonymous, "lighthouse", disposition="rejected").total == 1


def test_working_versions_are_found_by_their_drafters_only(corpus):
    c = corpus.c
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    # The copy is made in bulk; its outbox event has a task index it after commit.
    assert OutboxEvent.objects.filter(
        name="search.version_started", payload={"version_id": working.pk}
    ).exists()
    search_index_version.run(working.pk)
    copied = Provision.objects.get(version=working, stable_id=c.article.stable_id)
    assert find(c.drafter, "computer", version=working.pk).total == 3
    draft_services.provision_edit(
        provision=copied, by=c.drafter, revision=copied.revision, text_en="Telescopes are exempt."
    )
    assert [h.entry.provision_id for h in find(c.drafter, "telescopes").hits] == [copied.pk]
    assert find(c.official, "telescopes").total == 1
    for outsider in (c.anonymous, c.stakeholder_a, c.other_drafter, c.moderator):
        assert find(outsider, "telescopes").total == 0


def test_the_rebuild_restores_a_lost_index(corpus):
    c = corpus.c
    before = sorted(Entry.objects.values_list("key", flat=True))
    Entry.objects.all().delete()
    assert find(c.anonymous, "lighthouse").total == 0
    call_command("search_index", verbosity=0)
    assert sorted(Entry.objects.values_list("key", flat=True)) == before
    assert comment_ids(find(c.anonymous, "lighthouse")) == [corpus.public.pk]


def test_a_background_reindex_of_one_draft_records_its_progress(corpus):
    c = corpus.c
    Entry.objects.filter(draft=c.draft).delete()
    job = services.reindex_request(draft=c.draft)
    assert OutboxEvent.objects.filter(
        name="search.reindex_requested", payload={"reindex_id": job.pk}
    ).exists()
    done = services.reindex_run(reindex_id=job.pk)
    assert done.status == Reindex.Status.DONE
    assert done.total == done.done > 0 and done.percent == 100
    assert comment_ids(find(c.anonymous, "lighthouse")) == [corpus.public.pk]
    # Delivered again (at least once): a finished rebuild is not run again.
    assert services.reindex_run(reindex_id=job.pk).finished_at == done.finished_at


def test_an_individuals_restricted_thread_is_found_by_its_author_and_not_by_others(corpus):
    consultation = corpus.c
    question = comment_services.comment_create(
        by=consultation.individual,
        version=consultation.version,
        provision=consultation.article,
        body="A private zanzibarite question from a citizen.",
        visibility="restricted",
    )
    answer = comment_services.comment_reply(
        by=consultation.drafter, parent=question, body="A private zanzibarite answer."
    )
    found = comment_ids(find(consultation.individual, "zanzibarite"))
    assert set(found) == {question.pk, answer.pk}
    assert comment_ids(find(consultation.stakeholder_b, "zanzibarite")) == []
    assert facet(find(consultation.drafter, "zanzibarite"), "organisation_kind") == {
        "individual": 1,
        "ministry": 1,
    }


def test_a_renamed_organisation_is_found_by_its_new_name_with_what_it_said(
    corpus, django_capture_on_commit_callbacks, monkeypatch
):
    from search import tasks

    queued = []
    monkeypatch.setattr(
        tasks.search_index_organisation_comments, "delay", lambda pk: queued.append(pk)
    )
    org = corpus.c.org_b
    org.name_en = "Tonle Sap Networks"
    with django_capture_on_commit_callbacks(execute=True):
        org.save()
    assert queued == [org.pk]
    assert OutboxEvent.objects.filter(
        name="search.organisation_renamed", payload={"organisation_id": org.pk}
    ).exists()
    # Until the task runs, its comments' rows still carry the old name.
    assert comment_ids(find(corpus.c.anonymous, "Tonle", type="comment")) == []
    tasks.search_index_organisation_comments(org.pk)
    said = find(corpus.c.anonymous, "Tonle", type="comment")
    assert comment_ids(said) == [corpus.answered.pk]
    assert comment_ids(find(corpus.c.anonymous, "Mekong", type="comment")) == []
    organisations = find(corpus.c.anonymous, "Tonle", type="organisation")
    assert [h.entry.organisation_id for h in organisations.hits] == [org.pk]


def test_saving_an_organisation_without_renaming_it_reindexes_nothing_more(
    corpus, django_capture_on_commit_callbacks
):
    org = corpus.c.org_b
    org.verified = not org.verified
    with django_capture_on_commit_callbacks(execute=True):
        org.save()
    assert not OutboxEvent.objects.filter(name="search.organisation_renamed").exists()

"""Carrying comments forward: marks in both languages, and quotes found again in version N+1."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.anchoring import locate_exact, locate_fuzzy
from comments.models import PassageCheck
from comments.services import passage_checks_record
from drafts import services as draft_services

from .conftest import post_comment

KM_TEXT = "ច្បាប់នេះការពារប្រព័ន្ធកុំព្យូទ័រ និងទិន្នន័យ។"
KM_QUOTE = "ការពារប្រព័ន្ធកុំព្យូទ័រ និងទិន្នន័យ"
EN_QUOTE = "Nobody shall access a computer system without right"


def next_version(consultation, edits=None, remove=()):
    """Version 2 as a drafter makes it: started from version 1, edited, published.

    ``edits``: stable id → {"text_en": ..., "text_km": ...}; ``remove``: stable ids.
    """
    c = consultation
    v2 = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    for stable_id, fields in (edits or {}).items():
        provision = v2.provisions.get(stable_id=stable_id)
        draft_services.provision_edit(
            provision=provision, by=c.drafter, revision=provision.revision, **fields
        )
    for stable_id in remove:
        draft_services.provision_remove(
            provision=v2.provisions.get(stable_id=stable_id), by=c.drafter
        )
    return draft_services.version_publish(
        version=v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=30)
    )


def check_of(comment, version) -> PassageCheck:
    return PassageCheck.objects.get(comment=comment, version=version)


# --- comments without a quote: the whole article, in both languages -------------------


def test_a_khmer_only_edit_marks_a_comment_without_a_quote_changed_in_khmer(consultation):
    c = consultation
    on_edited = post_comment(c)
    elsewhere = post_comment(c, provision=c.articles["chp_1__art_2"])
    v2 = next_version(c, {c.article.stable_id: {"text_km": KM_TEXT.replace("ទិន្នន័យ", "ព័ត៌មាន")}})

    check = check_of(on_edited, v2)
    assert (check.result, check.changed_languages) == ("changed", "km")
    assert str(check.changed_language_names) == "Khmer"
    untouched = check_of(elsewhere, v2)
    assert (untouched.result, untouched.changed_languages) == ("unchanged", "")


def test_an_english_only_edit_marks_en_and_both_mark_en_km(consultation):
    c = consultation
    comment = post_comment(c)
    other = post_comment(c, provision=c.articles["chp_1__art_2"])
    art_1, art_2 = c.article, c.articles["chp_1__art_2"]
    v2 = next_version(
        c,
        {
            art_1.stable_id: {"text_en": art_1.text_en + " Added."},
            art_2.stable_id: {"text_en": art_2.text_en + " Added.", "text_km": KM_TEXT + "។"},
        },
    )
    assert (check_of(comment, v2).result, check_of(comment, v2).changed_languages) == (
        "changed",
        "en",
    )
    both = check_of(other, v2)
    assert (both.result, both.changed_languages) == ("changed", "en,km")
    assert str(both.changed_language_names) == "English and Khmer"


# --- quotes: found again in the same provision, in their language ----------------------


def test_a_quote_moved_within_its_article_is_found_with_its_new_offsets(consultation):
    c = consultation
    comment = post_comment(c, quote_exact=EN_QUOTE)
    text = c.article.text_en.replace("Nobody", "A new sentence comes first. Nobody")
    v2 = next_version(c, {c.article.stable_id: {"text_en": text}})

    check = check_of(comment, v2)
    assert check.result == "moved"
    assert check.changed_languages == "en"
    assert check.found_text == EN_QUOTE
    assert check.found_start == text.index(EN_QUOTE)
    assert text[check.found_start : check.found_end] == EN_QUOTE


def test_a_quote_whose_context_is_intact_is_unchanged_with_offsets(consultation):
    c = consultation
    comment = post_comment(c, quote_exact=EN_QUOTE)
    v2 = next_version(c, {c.article.stable_id: {"text_km": KM_TEXT + " ថ្មី"}})

    check = check_of(comment, v2)
    # The Khmer text changed, but the quote is English and stands where it stood.
    assert (check.result, check.changed_languages) == ("unchanged", "")
    assert c.article.text_en[check.found_start : check.found_end] == EN_QUOTE


def test_a_lightly_edited_english_quote_is_found_as_changed(consultation):
    c = consultation
    comment = post_comment(c, quote_exact=EN_QUOTE)
    edited = "Nobody shall knowingly access a computer system without right"
    text = c.article.text_en.replace(EN_QUOTE, edited)
    v2 = next_version(c, {c.article.stable_id: {"text_en": text}})

    check = check_of(comment, v2)
    assert (check.result, check.changed_languages) == ("changed", "en")
    assert check.found_text == edited
    assert (check.found_start, check.found_end) == (
        text.index(edited),
        text.index(edited) + len(edited),
    )


def test_a_lightly_edited_khmer_quote_is_found_as_changed(consultation):
    c = consultation
    comment = post_comment(c, quote_exact=KM_QUOTE, quote_language="km")
    text = "ច្បាប់នេះការពារប្រព័ន្ធព័ត៌មាន និងទិន្នន័យ។"  # computer → information
    v2 = next_version(c, {c.article.stable_id: {"text_km": text}})

    check = check_of(comment, v2)
    assert (check.result, check.changed_languages) == ("changed", "km")
    assert check.found_text == "ការពារប្រព័ន្ធព័ត៌មាន និងទិន្នន័យ"
    assert text[check.found_start : check.found_end] == check.found_text


def test_a_removed_passage_is_changed_with_nothing_found_and_a_removed_article_removed(
    consultation,
):
    c = consultation
    rewritten = post_comment(c, quote_exact=EN_QUOTE)
    gone = post_comment(c, quote_exact=EN_QUOTE, provision=c.articles["chp_2__art_3"])
    v2 = next_version(
        c,
        {c.article.stable_id: {"text_en": "Scope: this law sets out definitions only."}},
        remove=["chp_2__art_3"],
    )

    check = check_of(rewritten, v2)
    assert (check.result, check.changed_languages) == ("changed", "en")
    assert (check.found_text, check.found_start, check.found_end) == ("", None, None)
    assert check_of(gone, v2).result == "removed"


def test_repeated_passages_are_told_apart_by_their_context():
    text = "The minister may act. The court may act. The police may act."
    # The second "may act" was quoted: the selector stored its context then.
    second = text.index("court may act") + len("court ")
    prefix, suffix = text[max(0, second - 32) : second], text[second + 7 : second + 39]
    anchor = locate_exact(text, "may act", prefix=prefix, suffix=suffix)
    assert anchor.start == second
    assert anchor.context_matches
    # Moved: the quoted words stand elsewhere, after different words.
    moved = locate_exact("The court may act.", "may act", prefix="The police ", suffix=".")
    assert (moved.start, moved.context_matches) == (10, False)
    # Fuzzily, among two similar sentences, the context picks the right one.
    text = "The court may act at once. The police may act at once."
    found, ratio = locate_fuzzy(
        text, "police can act at once", "en", prefix="once. The ", suffix="."
    )
    assert found.found == "police may act at once"
    assert ratio >= 0.7
    assert locate_fuzzy(text, "Nothing like it is here", "en") is None


# --- the marks on the pages ------------------------------------------------------------


def test_the_mark_says_which_language_changed_on_the_review_desk(consultation, client_for):
    c = consultation
    comment = post_comment(c, body="About the Khmer wording.")
    next_version(c, {c.article.stable_id: {"text_km": KM_TEXT.replace("ទិន្នន័យ", "ព័ត៌មាន")}})
    page = client_for(c.drafter).get(reverse("desk:review", args=[c.draft.slug, 1]))
    html = page.content.decode()
    assert "Passage changed in version 2 (Khmer text)" in html
    thread = client_for(c.stakeholder_a).get(
        reverse("comments:permalink", args=[comment.pk]), follow=True
    )
    assert "Passage changed in version 2 (Khmer text)" in thread.content.decode()


def _quoted_on_v1_then_v2(c, **kwargs):
    comment = post_comment(c, quote_exact=EN_QUOTE, **kwargs)
    text = c.article.text_en.replace("Nobody", "A new sentence comes first. Nobody")
    v2 = next_version(c, {c.article.stable_id: {"text_en": text}})
    return comment, v2


def test_version_2_marks_the_passage_quoted_on_version_1(consultation, client_for):
    c = consultation
    comment, _v2 = _quoted_on_v1_then_v2(c)
    permalink = reverse("comments:permalink", args=[comment.pk])
    article = reverse(
        "comments:article",
        kwargs={"slug": c.draft.slug, "number": 2, "stable_id": c.article.stable_id},
    )
    for url in (reverse("comments:read_version", args=[c.draft.slug, 2]), article):
        html = client_for(c.stakeholder_b).get(url).content.decode()
        assert (
            f'<mark class="quoted-passage earlier-quote earlier-moved" data-comment="{comment.pk}">'
            f"{EN_QUOTE}</mark>"
            f'<a class="quote-ref earlier-quote earlier-moved" href="{permalink}" '
            f'title="Quoted in a comment on version 1; moved since">'
        ) in html, url


def test_a_restricted_earlier_quote_is_marked_only_for_those_who_may_see_it(
    consultation, client_for
):
    c = consultation
    comment, _v2 = _quoted_on_v1_then_v2(c, visibility="restricted")
    url = reverse("comments:read_version", args=[c.draft.slug, 2])
    marker = f'data-comment="{comment.pk}"'
    assert marker in client_for(c.stakeholder_a).get(url).content.decode()  # its author's org
    assert marker in client_for(c.drafter).get(url).content.decode()
    for outsider in (c.stakeholder_b, None):
        html = client_for(outsider).get(url).content.decode()
        assert marker not in html
        assert "Quoted in a comment on version 1" not in html


@pytest.mark.parametrize("viewer", ["anonymous", "stakeholder"])
def test_earlier_quotes_cost_a_fixed_number_of_queries(
    consultation, client_for, viewer, django_assert_max_num_queries
):
    c = consultation
    few = [post_comment(c, quote_exact=EN_QUOTE, minutes_ago=m) for m in range(1, 3)]
    articles = list(c.articles.values())
    many = [
        post_comment(c, quote_exact="computer systems", provision=articles[i % 3], minutes_ago=m)
        for i, m in enumerate(range(3, 30))
    ]
    v2 = next_version(c, {c.article.stable_id: {"text_en": c.article.text_en + " More."}})
    assert PassageCheck.objects.filter(version=v2).count() == len(few) + len(many)
    client = client_for({"anonymous": None, "stakeholder": c.stakeholder_b}[viewer])
    url = reverse("comments:read_version", args=[c.draft.slug, 2])
    # First with only a couple of earlier quotes found again...
    PassageCheck.objects.filter(comment__in=many).delete()
    with CaptureQueriesContext(connection) as with_few:
        assert client.get(url).status_code == 200
    # ...then with all of them (recording again fills in the missing checks): the same cost.
    assert passage_checks_record(version=v2) == len(many)
    with django_assert_max_num_queries(len(with_few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("earlier-quote") >= 3  # one mark per article: overlapping ones stay plain

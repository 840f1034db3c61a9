"""Redlines: word diffs (English and Khmer) and provision matching by stable id."""

import itertools

import pytest

from drafts import services
from drafts.redline import render_diff_html, version_redline, word_diff


def _join(ops, keep):
    return "".join(text for op, text in ops if op in keep)


def test_word_diff_reconstructs_both_texts():
    old = "Nobody shall access a computer system without right."
    new = "No person shall knowingly access a computer system without lawful right."
    ops = word_diff(old, new)
    assert _join(ops, {"equal", "delete"}) == old
    assert _join(ops, {"equal", "insert"}) == new
    assert ("insert", "knowingly ") in ops or any(
        op == "insert" and "knowingly" in text for op, text in ops
    )
    # adjacent runs of the same op are merged
    assert all(a[0] != b[0] for a, b in itertools.pairwise(ops))


def test_word_diff_is_word_level_not_character_level():
    ops = word_diff("the cat sat", "the cart sat")
    assert ("delete", "cat") in ops
    assert ("insert", "cart") in ops


def test_word_diff_identical_and_empty():
    assert word_diff("same text", "same text") == [("equal", "same text")]
    assert word_diff("", "") == []
    assert word_diff("", "new") == [("insert", "new")]
    assert word_diff("old", "") == [("delete", "old")]


def test_khmer_diff_uses_word_boundaries_not_spaces():
    old = "ច្បាប់នេះការពារប្រព័ន្ធកុំព្យូទ័រ"
    new = "ច្បាប់នេះការពារទិន្នន័យ"
    ops = word_diff(old, new, "km")
    assert ops == [
        ("equal", "ច្បាប់នេះការពារ"),
        ("delete", "ប្រព័ន្ធកុំព្យូទ័រ"),
        ("insert", "ទិន្នន័យ"),
    ]
    # Without a segmenter the whole spaceless phrase would be one "word".
    assert _join(ops, {"equal", "delete"}) == old
    assert _join(ops, {"equal", "insert"}) == new


def test_render_diff_html_escapes_everything():
    html = render_diff_html([("equal", "a < b & "), ("delete", "<script>"), ("insert", '"x"')])
    assert html == "a &lt; b &amp; <del>&lt;script&gt;</del><ins>&quot;x&quot;</ins>"


@pytest.fixture
def second_version(consultation):
    return services.version_start_next(draft=consultation.draft, by=consultation.drafter)


def _provision(version, stable_id):
    return version.provisions.get(stable_id=stable_id)


def test_redline_of_copy_is_all_unchanged(consultation, second_version, django_assert_num_queries):
    with django_assert_num_queries(2):
        redline = version_redline(old_version=consultation.version, new_version=second_version)
        summary = redline.summary
        statuses = [change.status for change in redline.changes]
    assert summary == {
        "added": 0,
        "removed": 0,
        "moved": 0,
        "renumbered": 0,
        "changed": 0,
        "unchanged": 5,
    }
    assert set(statuses) == {"Unchanged"}
    assert not redline.has_changes


def test_redline_recognises_moves_renumbering_removal_and_additions(consultation, second_version):
    drafter = consultation.drafter
    v2 = second_version
    chp_2 = _provision(v2, "chp_2")
    # Move article 1 (Scope) to the end of chapter 2, remove article 2, add a new one.
    services.provision_move(
        provision=_provision(v2, "chp_1__art_1"),
        by=drafter,
        parent=chp_2,
        after=_provision(v2, "chp_2__art_3"),
    )
    services.provision_remove(provision=_provision(v2, "chp_1__art_2"), by=drafter)
    added = services.provision_add(
        version=v2,
        by=drafter,
        kind="article",
        parent=_provision(v2, "chp_1"),
        number="9",
        heading_en="Definitions",
        text_en="In this law, words mean what they say.",
    )
    article_3 = _provision(v2, "chp_2__art_3")
    services.provision_edit(
        provision=article_3,
        by=drafter,
        revision=article_3.revision,
        text_en=article_3.text_en.replace("without right", "without lawful authority"),
    )
    services.version_renumber_articles(version=v2, by=drafter)

    redline = version_redline(old_version=consultation.version, new_version=v2)
    by_id = {c.stable_id: c for c in redline.changes}

    moved = by_id["chp_1__art_1"]
    assert moved.moved
    assert moved.renumbered
    assert not moved.text_changed
    assert moved.old.number == "1"
    assert moved.new.number == "3"
    assert "renumbered (was 1)" in moved.status

    removed = by_id["chp_1__art_2"]
    assert removed.removed
    assert removed.new is None
    assert removed.status == "Removed"

    assert by_id[added.stable_id].added
    assert by_id[added.stable_id].new.number == "1"

    edited = by_id["chp_2__art_3"]
    assert edited.text_changed
    assert not edited.moved
    assert edited.renumbered  # 3 → 2 after the removal
    assert ("insert", "lawful authority") in edited.text_ops("en")
    assert "<ins>lawful authority</ins>" in edited.text_html_en

    # Document order of the new version; the removed article right after its old
    # predecessor (article 1, which now stands at the end of chapter 2).
    order = [c.stable_id for c in redline.changes]
    assert order == [
        "chp_1",
        added.stable_id,
        "chp_2",
        "chp_2__art_3",
        "chp_1__art_1",
        "chp_1__art_2",
    ]
    assert redline.summary == {
        "added": 1,
        "removed": 1,
        "moved": 1,
        "renumbered": 2,
        "changed": 1,
        "unchanged": 2,
    }


def test_inserting_a_sibling_does_not_mark_neighbours_moved(consultation, second_version):
    v2 = second_version
    services.provision_add(
        version=v2,
        by=consultation.drafter,
        kind="article",
        parent=_provision(v2, "chp_1"),
        number="1a",
        text_en="New first article.",
    )
    redline = version_redline(old_version=consultation.version, new_version=v2)
    assert not any(c.moved for c in redline.changes)
    assert redline.summary["added"] == 1


def test_reordering_siblings_marks_only_the_moved_one(consultation, second_version):
    v2 = second_version
    chp_1 = _provision(v2, "chp_1")
    services.provision_move(
        provision=_provision(v2, "chp_1__art_2"), by=consultation.drafter, parent=chp_1
    )
    redline = version_redline(old_version=consultation.version, new_version=v2)
    moved = [c.stable_id for c in redline.changes if c.moved]
    assert len(moved) == 1
    assert moved[0] in {"chp_1__art_1", "chp_1__art_2"}


def test_khmer_text_change_in_redline(consultation, second_version):
    v2 = second_version
    article = _provision(v2, "chp_1__art_1")
    services.provision_edit(
        provision=article,
        by=consultation.drafter,
        revision=article.revision,
        text_km="ច្បាប់នេះការពារទិន្នន័យ។",
    )
    change = version_redline(old_version=consultation.version, new_version=v2).for_stable_id(
        "chp_1__art_1"
    )
    assert change.text_changed
    assert ("delete", "ប្រព័ន្ធកុំព្យូទ័រ និង") in change.text_ops("km")
    assert change.text_ops("en") == [("equal", article.text_en)]

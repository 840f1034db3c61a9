"""merge3: a word-level three-way merge of an article's text, in English and in Khmer."""

from drafts.merge import merge3

BASE = "Nobody shall access a computer system without right."


def test_nothing_changed_on_one_side_takes_the_other():
    assert merge3(BASE, BASE, BASE + " More.").text == BASE + " More."
    assert merge3(BASE, BASE + " More.", BASE).text == BASE + " More."
    assert merge3(BASE, "Same.", "Same.").clean


def test_changes_to_different_words_merge():
    ours = BASE + " Penalties are set in Chapter 2."
    theirs = BASE.replace("shall access", "shall intentionally access")
    result = merge3(BASE, ours, theirs, "en")
    assert result.clean
    assert result.conflicts == []
    assert result.text == (
        "Nobody shall intentionally access a computer system without right. "
        "Penalties are set in Chapter 2."
    )


def test_changes_to_neighbouring_words_merge():
    result = merge3(
        BASE,
        BASE.replace("Nobody", "No person"),
        BASE.replace("without right", "without authority"),
    )
    assert result.clean
    assert result.text == "No person shall access a computer system without authority."


def test_changes_to_the_same_words_are_a_conflict_and_keep_the_current_text():
    ours = BASE.replace("Nobody shall", "No person may")
    theirs = BASE.replace("shall access", "shall intentionally access")
    result = merge3(BASE, ours, theirs, "en")
    assert not result.clean
    assert result.text == ours  # the current text is never dropped
    [conflict] = result.conflicts
    assert conflict.base == "Nobody shall"
    assert conflict.ours == "No person may"
    assert conflict.theirs == "Nobody shall intentionally"
    assert result.text[conflict.start : conflict.end] == conflict.ours
    assert BASE[conflict.base_start : conflict.base_end] == conflict.base


def test_insertions_at_the_same_point_are_a_conflict():
    result = merge3(BASE, BASE.replace("shall", "shall not"), BASE.replace("shall", "shall never"))
    assert not result.clean
    assert result.text == "Nobody shall not access a computer system without right."
    [conflict] = result.conflicts
    assert (conflict.base, conflict.ours, conflict.theirs) == ("", " not", " never")


def test_the_same_change_on_both_sides_is_not_a_conflict():
    both = BASE.replace("computer system", "computer system or network")
    result = merge3(BASE, both + " More.", both)
    assert result.clean
    assert result.text == both + " More."


def test_several_conflicts_and_merges_in_one_text():
    base = "One shall two. Three shall four. Five shall six."
    ours = "One may two. Three shall four. Five shall six and seven."
    theirs = "One must two. Three will four. Five shall six."
    result = merge3(base, ours, theirs)
    assert result.text == "One may two. Three will four. Five shall six and seven."
    assert [(c.ours, c.theirs) for c in result.conflicts] == [("may", "must")]


KM_BASE = "គ្មាននរណាម្នាក់អាចចូលប្រើប្រព័ន្ធកុំព្យូទ័រដោយគ្មានសិទ្ធិបានទេ។"


def test_khmer_changes_to_different_words_merge():
    """Khmer has no spaces: a split on spaces would see one word and call it a conflict."""
    ours = KM_BASE.replace("ប្រព័ន្ធកុំព្យូទ័រ", "ប្រព័ន្ធកុំព្យូទ័រ និងបណ្តាញ")
    theirs = KM_BASE.replace("អាចចូល", "អាចចូលដោយចេតនា")
    result = merge3(KM_BASE, ours, theirs, "km")
    assert result.clean
    assert result.text == ("គ្មាននរណាម្នាក់អាចចូលដោយចេតនាប្រើប្រព័ន្ធកុំព្យូទ័រ និងបណ្តាញដោយគ្មានសិទ្ធិបានទេ។")


def test_khmer_changes_to_the_same_word_are_a_conflict():
    ours = KM_BASE.replace("កុំព្យូទ័រ", "ព័ត៌មាន")
    theirs = KM_BASE.replace("កុំព្យូទ័រ", "ឌីជីថល")
    result = merge3(KM_BASE, ours, theirs, "km")
    assert not result.clean
    assert result.text == ours
    [conflict] = result.conflicts
    assert (conflict.base, conflict.ours, conflict.theirs) == ("កុំព្យូទ័រ", "ព័ត៌មាន", "ឌីជីថល")

"""Parsing what people type: Khmer words, numbers in both scripts, phrases, words left out."""

from search.query import parse, to_fts5_match, to_tsquery_sql


def test_a_spaceless_khmer_query_becomes_its_words():
    query = parse("ការពារទិន្នន័យ")
    assert [c.alternatives for c in query.clauses] == [(("ការពារ",),), (("ទិន្នន័យ",),)]


def test_numbers_are_asked_for_in_latin_and_khmer_digits():
    assert parse("12").clauses[0].alternatives == (("12",), ("១២",))
    assert parse("១២").clauses[0].alternatives == (("12",), ("១២",))


def test_a_phrase_keeps_its_words_together_with_every_spelling_of_its_numbers():
    (clause,) = parse('"article 12"').clauses
    assert clause.alternatives == (("article", "12"), ("article", "១២"))


def test_a_minus_leaves_a_word_out_and_punctuation_alone_is_nothing():
    query = parse("privacy -surveillance")
    assert [c.negated for c in query.clauses] == [False, True]
    assert parse("-surveillance").is_empty
    assert parse("!!! ... ?").is_empty


def test_fts5_syntax_typed_by_a_person_stays_words():
    match = to_fts5_match(parse('NEAR(a b) OR title:x "unclosed'))
    # Every word is inside a quoted string; the operators are ours alone.
    assert (
        match == '("NEAR") AND ("a") AND ("b") AND ("OR") AND ("title") AND ("x") AND ("unclosed")'
    )


def test_postgres_words_are_parameters_never_sql():
    sql, params = to_tsquery_sql(parse("x'); DROP TABLE search_entry; --"))
    assert "DROP" not in sql
    assert "DROP" in params

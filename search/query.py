"""What a person typed, as a query both databases can run.

Words are found the way the indexer splits text (``core.segment``, ICU): a
Khmer query written without spaces becomes its words, each of which must be
found. ``"..."`` asks for a phrase (the words next to each other), ``-word``
for results without it. A number matches whether it is written in Latin or
Khmer digits (``12`` finds ``មាត្រា ១២``), so each number is asked for in both.

The parsed query is rendered for PostgreSQL (an expression of
``phraseto_tsquery`` calls, its words passed as parameters, never spliced into
the SQL) and for SQLite's FTS5 (a MATCH string made only of quoted strings and
operators, so nothing a person types can become FTS5 syntax).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from core.segment import words

from .indexing import KHMER_DIGITS, LATIN_DIGITS, NO_MARKS, TO_KHMER_DIGITS, TO_LATIN_DIGITS

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 12
MAX_VARIANTS = 8
SEARCH_CONFIG = "english"

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_DIGITS = set(KHMER_DIGITS + LATIN_DIGITS)


def _has_khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff" for ch in text)


def query_words(text: str) -> list[str]:
    """The words of ``text`` as the indexer sees them: ICU's words, without spaces or punctuation."""
    text = text.translate(NO_MARKS)
    language = "km" if _has_khmer(text) else "en"
    return [piece for piece in words(text, language) if any(ch.isalnum() for ch in piece)]


def _variants(word: str) -> tuple[str, ...]:
    if word and set(word) <= _DIGITS:
        latin, khmer = word.translate(TO_LATIN_DIGITS), word.translate(TO_KHMER_DIGITS)
        return (latin, khmer)
    return (word,)


@dataclass(frozen=True)
class Clause:
    """One thing that must (or, negated, must not) be found: any of its alternatives.

    Each alternative is a sequence of words that must stand next to each other
    (a single word is a sequence of one).
    """

    alternatives: tuple[tuple[str, ...], ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (only punctuation, or only words to leave out)."""
        return not self.positive


def _clause(sequence: list[str], negated: bool) -> Clause:
    options = [_variants(word) for word in sequence]
    alternatives = tuple(itertools.islice(itertools.product(*options), MAX_VARIANTS))
    return Clause(alternatives=alternatives, negated=negated)


def parse(text: str) -> ParsedQuery:
    clauses: list[Clause] = []
    for match in _TOKEN.finditer((text or "")[:MAX_QUERY_LENGTH]):
        negated_phrase, phrase, bare = match.groups()
        if phrase is not None:
            sequence = query_words(phrase)
            if sequence:
                clauses.append(_clause(sequence, bool(negated_phrase)))
            continue
        negated = bare.startswith("-") and len(bare) > 1
        for word in query_words(bare[1:] if negated else bare):
            clauses.append(_clause([word], negated))
    unique = list(dict.fromkeys(clauses))
    return ParsedQuery(clauses=tuple(unique[:MAX_CLAUSES]))


# --- PostgreSQL -----------------------------------------------------------------------------


def to_tsquery_sql(query: ParsedQuery) -> tuple[str, list[str]]:
    """A tsquery expression and its parameters (words go in as parameters only)."""
    parts: list[str] = []
    params: list[str] = []
    for clause in query.clauses:
        options = []
        for alternative in clause.alternatives:
            options.append(f"phraseto_tsquery('{SEARCH_CONFIG}', %s)")
            params.append(" ".join(alternative))
        expression = "(" + " || ".join(options) + ")"
        parts.append(f"!!{expression}" if clause.negated else expression)
    return "(" + " && ".join(parts) + ")", params


# --- SQLite FTS5 ----------------------------------------------------------------------------


def _fts_string(alternative: tuple[str, ...]) -> str:
    return '"' + " ".join(alternative).replace('"', '""') + '"'


def _fts_clause(clause: Clause) -> str:
    return "(" + " OR ".join(_fts_string(a) for a in clause.alternatives) + ")"


def to_fts5_match(query: ParsedQuery) -> str:
    """An FTS5 MATCH expression: every positive clause, none of the negative ones."""
    match = " AND ".join(_fts_clause(c) for c in query.positive)
    if query.negative:
        match = f"({match}) NOT (" + " OR ".join(_fts_clause(c) for c in query.negative) + ")"
    return match

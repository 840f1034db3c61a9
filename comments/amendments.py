"""Are the words of applied amendments still in the text? Reads only; services act on it.

The record (the matrix, the thread page, the packet) says an accepted amendment
was "applied in version N". That must stay true while the drafters go on
editing version N: when a later edit or a later amendment takes an applied
amendment's words out again, the drafter says why and the disposition records
that it was superseded (``services.disposition_supersede``).
"""

from __future__ import annotations

from core.segment import words
from drafts.models import Provision
from drafts.redline import INSERT, word_diff

from .models import Comment
from .selectors import amendment_base_text, amendment_language


def article_text(article: Provision, language: str) -> str:
    """The article's text in ``language`` as an amendment in that language replaces it."""
    return article.text_in(language) if language == "km" else article.text_en


def inserted_runs(comment: Comment) -> list[str]:
    """The runs of words an amendment inserts into the text it was made on (spaces alone skipped)."""
    language = amendment_language(comment)
    ops = word_diff(amendment_base_text(comment, language), comment.proposed_text, language)
    return [text for op, text in ops if op == INSERT and text.strip()]


def _solid(text: str, language: str) -> list[str]:
    return [token for token in words(text, language) if token.strip()]


def words_present(runs: list[str], text: str, language: str) -> bool:
    """Whether the words of ``runs`` all stand in ``text``, in the same order.

    In order, not side by side: a drafter who applied "may enter" as "may
    lawfully enter" kept the amendment's words, and must not be asked later to
    call it superseded. Words are compared whole ("intent" is not found in
    "intentionally"), spaces ignored. Khmer is compared run by run as
    characters without spaces instead: ICU segments some Khmer words
    differently depending on their neighbours, so the same words can come out
    as different tokens in the article and in the run alone.
    """
    if language == "km":
        haystack = "".join(text.split())
        position = 0
        for run in runs:
            needle = "".join(run.split())
            found = haystack.find(needle, position)
            if found < 0:
                return False
            position = found + len(needle)
        return True
    remaining = iter(_solid(text, language))
    # ``word in remaining`` consumes the iterator up to the match: an in-order subsequence test.
    return all(word in remaining for run in runs for word in _solid(run, language))


def applied_amendments(article: Provision) -> list[Comment]:
    """Amendments recorded as applied to this article (by stable id) in its version, not superseded.

    One query; each comment comes with its provision (for the text it was made
    on) and its disposition.
    """
    return list(
        Comment.objects.filter(
            kind=Comment.Kind.AMENDMENT,
            parent__isnull=True,
            provision__stable_id=article.stable_id,
            disposition__applied_in_version_id=article.version_id,
            disposition__superseded_at__isnull=True,
        )
        .select_related("provision", "disposition")
        .order_by("disposition__responded_at", "pk")
    )


def dropped_amendments(
    article: Provision, *, texts: dict[str, str] | None = None, exclude: Comment | None = None
) -> list[Comment]:
    """The applied amendments of ``article`` whose inserted words are not in its text.

    ``texts`` (by language) stands for the text about to be saved; a language not
    given is read from ``article``. ``exclude`` is the amendment being applied now.
    """
    texts = texts or {}
    dropped = []
    for comment in applied_amendments(article):
        if exclude is not None and comment.pk == exclude.pk:
            continue
        language = amendment_language(comment)
        text = texts.get(language)
        if text is None:
            text = article_text(article, language)
        runs = inserted_runs(comment)
        if runs and not words_present(runs, text, language):
            dropped.append(comment)
    return dropped

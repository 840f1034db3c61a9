"""Numbers and dates in each language's one style: Khmer digits on Khmer pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from core.numerals import khmer_digits, latin_digits, local_digits

MOMENT = datetime(2026, 11, 30, 19, 34, tzinfo=ZoneInfo("Asia/Phnom_Penh"))


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_digits_follow_the_language():
    assert khmer_digits("Article 19, 2026") == "Article ១៩, ២០២៦"
    assert latin_digits("មាត្រា ១៩") == "មាត្រា 19"
    assert local_digits(19, "en") == "19"
    assert local_digits(19, "km") == "១៩"
    with translation.override("km"):
        assert render("{{ n|digits }}", n=285) == "២៨៥"
    with translation.override("en"):
        assert render("{{ n|digits }}", n=285) == "285"


COUNT = (
    "{% load i18n %}{% blocktranslate count counter=n|digits %}{{ counter }} comment"
    "{% plural %}{{ counter }} comments{% endblocktranslate %}"
)


def test_counts_inside_translated_sentences_use_the_pages_digits():
    """The plural form is still chosen from the number; only its printing changes."""
    with translation.override("en"):
        assert render(COUNT, n=1) == "1 comment"
        assert render(COUNT, n=285) == "285 comments"
    with translation.override("km"):
        shown = render(COUNT, n=285)
        assert "២៨៥" in shown and "285" not in shown


def test_every_count_in_a_translated_sentence_goes_through_digits():
    """A count passed to blocktranslate without |digits would print Latin digits in Khmer."""
    import re
    from pathlib import Path

    from django.conf import settings

    tag = re.compile(r"\{% blocktranslate [^%]*?count \w+=([^\s%]+)")
    counts = [
        (path, expr)
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for expr in tag.findall(path.read_text())
    ]
    assert len(counts) > 40  # the pattern still finds the portal's counted sentences
    assert [f"{path}: {expr}" for path, expr in counts if not expr.endswith("|digits")] == []


def test_one_date_style_per_language_on_every_page():
    with translation.override("en"):
        assert render("{{ t|when }}", t=MOMENT) == "30 November 2026, 19:34"
        assert render('{{ t|when:"DATE_FORMAT" }}', t=MOMENT) == "30 November 2026"
    with translation.override("km"):
        shown = render("{{ t|when }}", t=MOMENT)
        assert shown.startswith("៣០ ") and shown.endswith(" ២០២៦ ម៉ោង ១៩:៣៤")
        assert not any(ch.isascii() and ch.isdigit() for ch in shown)
        assert render("{{ t|when }}", t=None) == ""


def test_an_article_label_uses_the_laws_digits(consultation):
    article = consultation.article
    with translation.override("en"):
        assert article.label == f"Article {article.number}"
    with translation.override("km"):
        assert article.label == f"មាត្រា {khmer_digits(article.number)}"

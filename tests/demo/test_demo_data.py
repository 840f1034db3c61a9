"""The demo consultation's law is bilingual: every article of every version has its Khmer text.

The Khmer site shows the Khmer text and the Khmer packet prints it, so an article
without one falls back to English on the site and to a bare heading in the packet.
"""

import json
import re

import pytest

from demo.loader import DEMO_DIR, load_demo
from drafts.models import Draft, Provision

VERSIONS = ("law_v1.json", "law_v2.json")
KHMER_LETTER = re.compile(r"[\u1780-\u17b3]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
# Latin words a Khmer legal text may keep as they are. The law's English uses no
# acronym, so none is allowed; add one here only if the English text uses it too.
ALLOWED_LATIN = frozenset()
POINT = re.compile(r"^(\d+)\. ")
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item.get("children", []))


def _law(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _provisions(kind):
    return [
        pytest.param(item, id=f"{name}:{item['stable_id']}")
        for name in VERSIONS
        for item in _walk(_law(name)["provisions"])
        if item["kind"] == kind
    ]


ARTICLES = _provisions("article")
CHAPTERS = _provisions("chapter")


def test_both_versions_have_articles():
    assert {p.id.split(":")[0] for p in ARTICLES} == set(VERSIONS)
    assert len(ARTICLES) >= 90


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_a_khmer_heading(chapter):
    assert chapter["heading_km"].strip()
    assert KHMER_LETTER.search(chapter["heading_km"])


@pytest.mark.parametrize("article", ARTICLES)
def test_article_has_khmer_heading_and_text(article):
    assert article["heading_km"].strip()
    assert article["text_km"].strip()
    assert KHMER_LETTER.search(article["text_km"])
    assert article["text_km"].endswith("។")


@pytest.mark.parametrize("article", ARTICLES)
def test_khmer_keeps_the_paragraphs_and_points_of_the_english(article):
    english = article["text_en"].split("\n\n")
    khmer = article["text_km"].split("\n\n")
    assert len(khmer) == len(english)
    for en_paragraph, km_paragraph in zip(english, khmer, strict=True):
        en_lines, km_lines = en_paragraph.split("\n"), km_paragraph.split("\n")
        assert len(km_lines) == len(en_lines), en_paragraph[:60]
        for en_line, km_line in zip(en_lines, km_lines, strict=True):
            point = POINT.match(en_line)
            if point:
                assert km_line.startswith(point.group(1).translate(KHMER_DIGITS) + ". ")


@pytest.mark.parametrize("article", ARTICLES)
def test_khmer_has_no_latin_words_or_western_digits(article):
    for field in ("heading_km", "text_km"):
        words = set(LATIN_WORD.findall(article[field]))
        assert words <= ALLOWED_LATIN, (field, words - ALLOWED_LATIN)
        assert words <= set(LATIN_WORD.findall(article["text_en"] + article["heading_en"]))
        assert not re.search(r"[0-9]", article[field]), field
        assert "  " not in article[field], field


def test_unchanged_english_keeps_its_khmer_in_version_2():
    """The portal diffs versions word by word in Khmer too: no change without a change."""
    first = {p["stable_id"]: p for p in _walk(_law(VERSIONS[0])["provisions"])}
    for item in _walk(_law(VERSIONS[1])["provisions"]):
        before = first.get(item["stable_id"])
        if before is None:
            continue
        for en, km in (("text_en", "text_km"), ("heading_en", "heading_km")):
            if before.get(en, "") == item.get(en, ""):
                assert before.get(km, "") == item.get(km, ""), (item["stable_id"], km)


@pytest.mark.django_db
def test_loaded_demo_has_khmer_text_for_every_article_of_every_version():
    load_demo()
    draft = Draft.objects.get(slug=_law(VERSIONS[0])["draft"]["slug"])
    articles = Provision.objects.articles().filter(version__draft=draft)
    assert draft.versions.count() == len(VERSIONS)
    for version in draft.versions.all():
        assert articles.filter(version=version).exists()
        assert articles.filter(version=version, text_km="").count() == 0, version.number
        assert articles.filter(version=version, heading_km="").count() == 0, version.number

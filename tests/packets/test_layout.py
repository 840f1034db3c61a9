"""Packet layout on paper: columns and matrix as tables, threads whole, nothing off the page."""

import re

import pytest

from packets import rendering, services

from .conftest import KHMER_TEXT
from .poppler import available, pdftotext

pytestmark = [pytest.mark.django_db, available]

A4_WIDTH_PT = 595.28
SIDE_MARGIN_PT = 18 / 25.4 * 72  # packet.css: 18 mm left and right


def words_with_boxes(pdf, tmp_path):
    """(page, xMin, xMax, word) for every word pdftotext finds."""
    html = pdftotext(pdf, tmp_path, "-bbox")
    page = 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', line)
        if match:
            yield page, float(match.group(1)), float(match.group(2)), match.group(3)


def test_a_long_spaceless_khmer_article_stays_in_its_column(story, tmp_path):
    article = story.consultation.articles["chp_1__art_2"]
    long_text = (KHMER_TEXT.replace(" ", "") * 30)[:7000]
    from drafts.models import DraftVersion, Provision

    # Fixture text straight to the row: the version is frozen for services.
    Provision.objects.filter(pk=article.pk).update(text_km=long_text)
    assert DraftVersion.objects.get(pk=story.version.pk).status == "in_consultation"
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="both"
    )
    pdf, _pages = rendering.render_chunked(packet)
    right_edge = A4_WIDTH_PT - SIDE_MARGIN_PT + 1  # a point of rounding
    outside = [
        (page, x_max, word)
        for page, x_min, x_max, word in words_with_boxes(pdf, tmp_path)
        if x_max > right_edge or x_min < SIDE_MARGIN_PT - 1
    ]
    assert outside == []
    # The Khmer column continues on the next page in its own (right) column.
    khmer_pages = {
        page
        for page, x_min, _x_max, word in words_with_boxes(pdf, tmp_path)
        if re.search("[\u1780-\u17ff]", word) and x_min > A4_WIDTH_PT / 2
    }
    assert len(khmer_pages) >= 2


def test_threads_are_whole_and_empty_chapters_say_so(story, tmp_path, settings):
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="en"
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = pdftotext(pdf, tmp_path)
    comments = text[text.index("Comments by article") :]
    comments = comments[comments.index("Comments by article", 30) :]  # past the contents
    reply = comments.index("We agree, and propose an exemption")
    decision = comments.index(f"Decision on #{story.public_comment.pk}")
    assert reply < decision  # the decision after the whole thread
    # Chapter 2's only comment is restricted and left out of this packet.
    assert "No comments on this chapter." in comments

    matrix = text[text.rindex("Comment-response matrix") :]
    for heading in ("No.", "Ministry's response", "Outcome"):
        assert heading in matrix
    assert "**" not in matrix


def test_a_missing_translation_is_marked_never_a_bare_heading(story, tmp_path):
    from drafts.models import Provision

    articles = story.consultation.articles
    # Fixture text straight to the rows: the version is frozen for services.
    Provision.objects.filter(pk=articles["chp_1__art_1"].pk).update(text_km="")
    Provision.objects.filter(pk=articles["chp_1__art_2"].pk).update(text_en="")
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="both"
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = " ".join(pdftotext(pdf, tmp_path).split())
    assert "No Khmer text in this version." in text
    assert "No English text in this version." in text

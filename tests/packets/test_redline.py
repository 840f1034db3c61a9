"""The packet's redline on paper: brackets, spacing, paragraphs, Khmer breaks, chapter marks."""

import io
import re

import pytest
from pypdf import PdfReader

from drafts.redline import word_diff
from packets import rendering, services

from .poppler import available, pdftotext

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


def test_deletions_are_bracketed_and_kept_apart_from_insertions():
    html = rendering.print_redline_html(word_diff("within four days", "within two days"))
    assert html == f"<p>within {ZWSP}<del>[four]</del> <ins>two</ins>{ZWSP} days</p>"


def test_points_stay_paragraphs():
    old = "Offences:\n1. access;\n2. interference."
    new = "Offences:\n1. unlawful access;\n2. interference."
    html = rendering.print_redline_html(word_diff(old, new))
    assert html.count("<p>") == 3
    assert "<p>1.<ins> unlawful</ins> access;</p>" in html.replace(ZWSP, "")


def test_khmer_lines_break_at_changes_but_never_before_the_full_stop():
    old = "ច្បាប់នេះការពារប្រព័ន្ធកុំព្យូទ័រ និងទិន្នន័យ។"
    new = "ច្បាប់នេះការពារប្រព័ន្ធព័ត៌មានវិទ្យា និងទិន្នន័យ។"
    html = rendering.print_redline_html(word_diff(old, new, "km"))
    assert ZWSP + "។" not in html
    assert "។" in html
    # The change begins and ends where a line may break.
    before, _sep, _after = html.partition("<del>")
    assert before.endswith(ZWSP)
    assert ZWSP + " " in html or "</ins>" + ZWSP in html
    assert rendering.km("និងទិន្នន័យ។") == "និង" + ZWSP + "ទិន្នន័យ។"


@available
def test_the_redline_marks_changed_chapters_and_shows_brackets(second_round, settings, tmp_path):
    c = second_round.story.consultation
    packet = services.packet_request(
        version=second_round.v2, by=c.official, language="en", compare_to=second_round.v1
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = pdftotext(pdf, tmp_path)
    assert re.search(r"\[[^\]]*computer system[^\]]*\]", text)  # the old words, bracketed
    assert "Within two days of the request:" in text
    assert "1. access without lawful authority;" in text
    reader = PdfReader(io.BytesIO(pdf))

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    redline_chapters = [t for t in titles(reader.outline) if t.startswith("Chapter")]
    # Chapter 1 had article 1 rewritten, chapter 2 lost article 3: neither is "Unchanged".
    changed = [t for t in redline_chapters if "provision" in t and "changed" in t]
    assert len(changed) >= 2, redline_chapters


def test_a_second_round_packet_carries_the_first_rounds_record(second_round, tmp_path):
    from comments.models import Disposition

    story = second_round.story
    c = story.consultation
    # The answered comment's change landed in version 2 (what applying an amendment records).
    Disposition.objects.filter(comment=story.public_comment).update(
        applied_in_version=second_round.v2
    )
    packet = services.packet_request(
        version=second_round.v2, by=c.official, language="en", compare_to=second_round.v1
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = pdftotext(pdf, tmp_path)
    record = " ".join(text[text.rindex("Record of the earlier round") :].split())
    assert "We narrowed the definition in article 1." in record
    assert "applied in version 2" in record
    assert "Applied in version 2" in record


def test_the_synopsis_aligns_paragraphs_with_numbered_rows(second_round, tmp_path):
    c = second_round.story.consultation
    packet = services.packet_request(
        version=second_round.v2, by=c.official, language="en", compare_to=second_round.v1
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = pdftotext(pdf, tmp_path, "-layout")
    synopsis = text[text.rindex("Synopsis: the earlier text") :]
    synopsis = synopsis[: synopsis.index("Comments by article")]
    assert "Proposals received" in synopsis
    # Article 1's three new paragraphs are rows 1-3, the first beside the old text.
    first = next(line for line in synopsis.splitlines() if line.strip().startswith("1 "))
    assert "Scope: this law" in first and "Within two days" in first
    assert re.search(r"^\s*3\s.*2\. interference with data\.", synopsis, re.M)
    assert "Digital Rights Forum" in synopsis  # the proposal received on version 1
    assert "Partly accepted" in synopsis or "partly accepted" in synopsis.lower()


def test_paragraphs_are_aligned_kept_changed_added():
    rows = rendering.aligned_paragraphs("a\nb\nc", "a\nB\nc\nd")
    assert rows == [("a", "a"), ("b", "B"), ("c", "c"), ("", "d")]

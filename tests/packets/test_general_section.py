"""The packet's section of comments on the whole draft, and proposals for a new article in it.

Checked on the rendered HTML of each part (the PDF is the same HTML printed).
"""

import pytest

from comments import services as comment_services
from comments.models import Comment
from packets import rendering, services
from packets.selectors import plan_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def general_story(story):
    c = story.consultation
    general = comment_services.comment_create(
        by=c.individual,
        version=story.version,
        provision=None,
        body="The law as a whole lacks a review clause.",
        posted_at=story.version.opens_at,
    )
    proposal = comment_services.comment_create(
        by=c.stakeholder_a,
        version=story.version,
        provision=c.articles["chp_1__art_1"],
        kind=Comment.Kind.NEW_ARTICLE,
        body="Add a review clause.",
        proposed_text="This law is reviewed every five years.",
        proposed_text_km="ច្បាប់នេះត្រូវពិនិត្យឡើងវិញរៀងរាល់ប្រាំឆ្នាំម្តង។",
        posted_at=story.version.opens_at,
    )
    return story, general, proposal


def _packet(story):
    return services.packet_request(
        version=story.version, by=story.consultation.official, language="en"
    )


def _html(document, section):
    index = next(i for i, p in enumerate(document.parts) if p["section"] == section)
    return document.part_html(document.parts[index], first_in_section=True)


def test_general_comments_have_a_section_before_the_articles(general_story):
    story, _general, _proposal = general_story
    packet = _packet(story)
    sections = [p["section"] for p in plan_parts(packet)]
    assert sections.index("general") < sections.index("comments")
    document = rendering.PacketDocument(packet)
    html = _html(document, "general")
    assert "Comments on the whole draft" in html
    assert "lacks a review clause" in html
    assert "Individual" in html
    assert "Add a review clause" not in html  # a proposal is on its article
    assert "s-general" in [e["anchor"] for e in document.toc_entries()]


def test_a_new_article_proposal_prints_both_texts_in_comments_and_matrix(general_story):
    story, _general, _proposal = general_story
    document = rendering.PacketDocument(_packet(story))
    comments = _html(document, "comments").replace("\u200b", "")  # Khmer line-break marks
    assert "This law is reviewed every five years." in comments
    assert "ច្បាប់នេះត្រូវពិនិត្យឡើងវិញ" in comments
    matrix = _html(document, "matrix").replace("\u200b", "")
    assert "The whole draft" in matrix
    assert matrix.index("lacks a review clause") < matrix.index("reviewed every five years")


def test_without_general_comments_there_is_no_general_section(story):
    assert "general" not in [p["section"] for p in plan_parts(_packet(story))]

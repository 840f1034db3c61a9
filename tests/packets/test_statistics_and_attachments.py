"""The statistics annex counts the desk's tags and campaigns; the packet lists and prints
the comments' attachments. Both follow the packet's own visibility: restricted comments,
their files, and the team's tags only in a packet that includes restricted comments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comments import services as comment_services
from comments.models import Visibility
from desk import services as desk_services
from packets import rendering, services
from packets.fingerprint import packet_fingerprint
from tests.comments import sample_files

from .poppler import available, pdftotext

pytestmark = pytest.mark.django_db

LETTER = (
    "We the undersigned members of the association of small internet cafes ask the "
    "ministry to remove the duty to keep logs of every visitor for two years, because "
    "it costs more than our monthly income and exposes our customers' private lives."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def campaign(story):
    """Three copies of one letter (one restricted), clustered; two comments tagged."""
    c = story.consultation
    article = list(c.articles.values())[1]
    authors = [c.stakeholder_a, c.stakeholder_b, c.stakeholder_a]
    letters = []
    for n, (author, visibility) in enumerate(
        zip(authors, [Visibility.PUBLIC, Visibility.PUBLIC, Visibility.RESTRICTED], strict=True)
    ):
        letters.append(
            comment_services.comment_create(
                by=author,
                version=story.version,
                provision=article,
                body=LETTER + ("" if n == 0 else f" Signed, member {n}."),
                visibility=visibility,
                posted_at=story.version.opens_at,
            )
        )
    desk_services.clusters_recompute(version_id=story.version.pk, force=True)
    tag = desk_services.tag_create(draft=c.draft, by=c.drafter, name="Data retention")
    desk_services.comments_tag(
        draft=c.draft, by=c.drafter, comment_ids=[letters[0].pk, story.public_comment.pk], tag=tag
    )
    return letters


def statistics(story, include_restricted):
    packet = services.packet_request(
        version=story.version,
        by=story.consultation.official,
        language="en",
        include_restricted=include_restricted,
    )
    with rendering.translation.override("en"):
        return packet, rendering.PacketDocument(packet)._statistics()


def test_campaign_sizes_count_only_the_packets_comments(story, campaign):
    _packet, public = statistics(story, include_restricted=False)
    _packet, internal = statistics(story, include_restricted=True)
    assert [c["size"] for c in public["campaigns"]] == [2]
    assert [c["size"] for c in internal["campaigns"]] == [3]
    assert internal["campaigns"][0]["excerpt"].startswith("We the undersigned")
    assert internal["campaigns"][0]["where"].startswith("Article 2")


def test_tags_are_counted_only_in_a_packet_not_for_publication(story, campaign):
    _packet, public = statistics(story, include_restricted=False)
    packet, internal = statistics(story, include_restricted=True)
    assert public["by_tag"] == []
    assert internal["by_tag"] == [("Data retention", 2)]
    html = rendering.PacketDocument(packet).part_html(
        {"section": "annex", "units": []}, first_in_section=True
    )
    assert "Data retention" in html
    assert "Campaigns: near-identical comments" in html


def test_a_new_tag_or_campaign_changes_the_fingerprint_of_the_packet_that_shows_it(story, campaign):
    c = story.consultation

    def fingerprints():
        return [
            packet_fingerprint(
                version=story.version,
                compare_to=None,
                language="en",
                include_restricted=restricted,
            )
            for restricted in (False, True)
        ]

    public, internal = fingerprints()
    tag = desk_services.tag_create(draft=c.draft, by=c.drafter, name="Costs")
    desk_services.comments_tag(draft=c.draft, by=c.drafter, comment_ids=[campaign[1].pk], tag=tag)
    public_after, internal_after = fingerprints()
    assert public_after == public  # tags are not printed in it
    assert internal_after != internal


@pytest.fixture
def files(story):
    """A public comment with a PDF, a restricted one with a Word file."""
    c = story.consultation
    article = next(iter(c.articles.values()))
    public = comment_services.comment_create(
        by=c.stakeholder_a,
        version=story.version,
        provision=article,
        body="Our position paper is attached.",
        attachments=[upload("position-paper.pdf", sample_files.pdf())],
        posted_at=story.version.opens_at,
    )
    restricted = comment_services.comment_create(
        by=c.stakeholder_b,
        version=story.version,
        provision=article,
        body="Our confidential annex is attached.",
        visibility=Visibility.RESTRICTED,
        attachments=[
            upload("network-annex.docx", sample_files.docx(("Confidential network annex.",)))
        ],
        posted_at=story.version.opens_at,
    )
    return public, restricted


@available
@pytest.mark.parametrize("include_restricted", [False, True])
def test_attachments_are_listed_with_their_comment_and_printed_in_an_annex(
    story, files, include_restricted, tmp_path
):
    packet = services.packet_request(
        version=story.version,
        by=story.consultation.official,
        language="en",
        include_restricted=include_restricted,
    )
    pdf, _pages = rendering.render_chunked(packet)
    text = " ".join(pdftotext(pdf, tmp_path).split())
    assert "Attachment A1: position-paper.pdf (application/pdf," in text
    assert "Files attached to the comments" in text
    assert "Position paper of the Digital Rights Forum" in text  # its extracted text
    assert ("network-annex.docx" in text) is include_restricted
    assert ("Confidential network annex." in text) is include_restricted

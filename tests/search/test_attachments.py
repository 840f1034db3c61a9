"""Files attached to comments are found by their text, under their comment's rules.

English and Khmer text read from a PDF or a Word file; a restricted comment's
file is never found, counted or quoted for someone who may not read the comment;
a hidden comment's file leaves the index for everyone but its author and the
people who review; every write reaches the index in its own transaction.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from comments import services as comment_services
from comments.models import Attachment
from search import services
from search.models import Entry
from search.selectors import visible_entries
from stakeholders.policies import comment_text_filter
from tests.comments import sample_files
from tests.security.test_permission_matrix import MATRIX, ROLES

from .attached_files import pdf_with_text_layer
from .test_search import facet, find

# A Khmer sentence without spaces in a Word file, one in a PDF, and the word looked for in each.
KHMER_DOCX = "យើងស្នើឱ្យលុបចោលការឃ្លាំមើលអ៊ីនធឺណិតដោយគ្មានដីកាតុលាការ"
KHMER_DOCX_WORD = "ឃ្លាំមើល"  # surveillance
KHMER_PDF = "ក្រសួងត្រូវការពារភាពសម្ងាត់នៃប្រភពព័ត៌មានរបស់អ្នកសារព័ត៌មាន"
KHMER_PDF_WORD = "សម្ងាត់"  # secrecy


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_with_files(c, files, by=None, **kwargs):
    return comment_services.comment_create(
        by=by or c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body=kwargs.pop("body", "See the paper we attach."),
        attachments=files,
        **kwargs,
    )


def attachment_hits(results):
    return [hit for hit in results.hits if hit.source == Entry.Source.ATTACHMENT]


def found_files(user, q, **filters):
    return [hit.entry.attachment.original_name for hit in attachment_hits(find(user, q, **filters))]


def test_english_and_khmer_text_inside_a_pdf_and_a_word_file_is_found(corpus):
    c = corpus.c
    comment = post_with_files(
        c,
        [
            upload("escrow.pdf", sample_files.pdf("Cryptographic escrow weakens every system")),
            upload("position.docx", sample_files.docx(["Warrantless wiretaps", KHMER_DOCX])),
            upload("sources.pdf", pdf_with_text_layer([KHMER_PDF])),
            upload("chart.png", sample_files.png()),
        ],
    )
    assert found_files(c.anonymous, "escrow") == ["escrow.pdf"]
    assert found_files(c.anonymous, "wiretap") == ["position.docx"]  # stemmed, as comments are
    assert found_files(c.anonymous, KHMER_DOCX_WORD) == ["position.docx"]
    assert found_files(c.anonymous, KHMER_PDF_WORD) == ["sources.pdf"]
    assert found_files(c.anonymous, "chart") == ["chart.png"]  # an image: by its name
    # The English query finds no Khmer, the Khmer one no English.
    assert found_files(c.anonymous, "journalists") == []
    [hit] = attachment_hits(find(c.anonymous, KHMER_PDF_WORD))
    assert hit.entry.comment_id == comment.pk and hit.entry.language == "km"
    assert f"<mark>{KHMER_PDF_WORD}</mark>" in hit.snippet.replace("\u200b", "")
    results = find(c.anonymous, "escrow")
    assert facet(results, "type") == {"attachment": 1}
    assert facet(results, "kind") == {"comment": 1}


def test_the_results_page_and_the_api_link_to_the_comment_and_name_the_file(
    corpus, client, api_client_for
):
    c = corpus.c
    comment = post_with_files(c, [upload("escrow.pdf", sample_files.pdf("Escrow keys"))])
    attachment = comment.attachments.get()
    page = client.get("/search/", {"q": "escrow"}).content.decode()
    assert f'href="{reverse("comments:permalink", args=[comment.pk])}"' in page
    assert "“<mark>escrow</mark>.\u200bpdf”" in page  # the name's parts are words
    assert f'href="{reverse("comments:attachment", args=[attachment.pk])}"' in page
    client.cookies["django_language"] = "km"
    page = client.get("/search/", {"q": "escrow"}).content.decode()
    assert "ឯកសារភ្ជាប់" in page
    # The labels are the Khmer page's; only the file's English words are marked English.
    assert '<li class="search-hit search-hit-attachment">' in page
    assert '<p class="hit-snippet" lang="en">' in page
    hit = api_client_for(c.anonymous).get("/api/v1/search/", {"q": "escrow"}).json()["results"][0]
    assert hit["type"] == "attachment"
    assert hit["url"].endswith(reverse("comments:permalink", args=[comment.pk]))
    assert hit["attachment"]["name"] == "escrow.pdf"
    assert hit["attachment"]["url"].endswith(reverse("comments:attachment", args=[attachment.pk]))
    assert hit["comment"] == comment.pk


@pytest.mark.parametrize("role", ROLES)
def test_a_restricted_comments_file_is_found_counted_and_quoted_only_by_its_readers(corpus, role):
    c = corpus.c
    post_with_files(c, [upload("open.pdf", sample_files.pdf("A public memorandum on ports"))])
    post_with_files(
        c,
        [upload("cable.pdf", sample_files.pdf("A confidential memorandum on submarines"))],
        visibility="restricted",
    )
    user = getattr(c, role)
    expected = MATRIX["read.restricted"][role]
    assert (found_files(user, "confidential") == ["cable.pdf"]) is expected, role
    assert (find(user, "confidential").total == 1) is expected, role
    if not expected:
        assert find(user, "confidential").facets == []
    # A word both files share: counted, listed and quoted from the readable one only.
    shared = find(user, "memorandum", type="attachment")
    assert shared.total == (2 if expected else 1), role
    assert facet(shared, "type") == {"attachment": shared.total}, role
    snippets = " ".join(str(hit.snippet) for hit in shared.hits)
    assert ("confidential" in snippets) is expected, role


def test_a_hidden_comments_file_leaves_the_index_and_comes_back_when_restored(corpus):
    c = corpus.c
    comment = post_with_files(c, [upload("rant.docx", sample_files.docx(["Incendiary pamphlet"]))])
    comment_services.comment_hide(comment=comment, by=c.moderator, reason="Abusive")
    for outsider in (c.anonymous, c.stakeholder_b, c.individual):
        assert find(outsider, "pamphlet").total == 0
        assert facet(find(outsider, "", type="attachment"), "type") == {}
    for reviewer in (c.stakeholder_a, c.moderator, c.drafter, c.official):
        assert found_files(reviewer, "pamphlet") == ["rant.docx"]  # its author and reviewers
    comment_services.comment_restore(comment=comment, by=c.moderator, reason="On appeal")
    assert found_files(c.anonymous, "pamphlet") == ["rant.docx"]


def test_a_withdrawn_comments_file_stays_found_like_its_words(corpus):
    c = corpus.c
    comment = post_with_files(c, [upload("draft.docx", sample_files.docx(["Earlier thinking"]))])
    comment_services.comment_withdraw(comment=comment, by=c.stakeholder_a, reason="Superseded")
    [hit] = attachment_hits(find(c.anonymous, "earlier"))
    assert hit.entry.state == "withdrawn"


def test_the_index_copy_of_who_may_see_a_file_agrees_with_the_live_rule(corpus):
    """For every role, the files search lets one find are exactly those the download rule's
    filter lets one read, after hiding, restoring and replying."""
    c = corpus.c
    public = post_with_files(c, [upload("a.pdf", sample_files.pdf("One"))])
    restricted = post_with_files(
        c, [upload("b.pdf", sample_files.pdf("Two"))], visibility="restricted"
    )
    participants = post_with_files(
        c, [upload("c.pdf", sample_files.pdf("Three"))], visibility="participants"
    )
    comment_services.comment_reply(
        by=c.stakeholder_b,
        parent=public,
        body="With our own paper",
        attachments=[upload("d.docx", sample_files.docx(["Four"]))],
        visibility="restricted",
    )
    comment_services.comment_hide(comment=restricted, by=c.moderator, reason="Off topic")
    comment_services.comment_hide(comment=participants, by=c.moderator, reason="Off topic")
    comment_services.comment_restore(comment=participants, by=c.moderator, reason="On appeal")
    for role in ROLES:
        user = getattr(c, role)
        live = set(
            Attachment.objects.filter(comment_text_filter(user, prefix="comment__")).values_list(
                "pk", flat=True
            )
        )
        indexed = set(
            visible_entries(user)
            .filter(source=Entry.Source.ATTACHMENT)
            .values_list("attachment_id", flat=True)
        )
        assert indexed == live, role


def test_a_removed_file_leaves_the_index_and_a_rebuild_restores_lost_rows(corpus):
    c = corpus.c
    comment = post_with_files(
        c,
        [
            upload("keep.pdf", sample_files.pdf("Durable argument")),
            upload("gone.pdf", sample_files.pdf("Ephemeral argument")),
        ],
    )
    comment.attachments.get(original_name="gone.pdf").delete()
    assert found_files(c.anonymous, "ephemeral") == []
    assert found_files(c.anonymous, "argument") == ["keep.pdf"]
    Entry.objects.filter(source=Entry.Source.ATTACHMENT).delete()
    call_command("search_index", verbosity=0)
    assert found_files(c.anonymous, "durable") == ["keep.pdf"]
    Entry.objects.filter(source=Entry.Source.ATTACHMENT).delete()
    services.rebuild(draft=c.draft)
    assert found_files(c.anonymous, "durable") == ["keep.pdf"]


def test_a_decision_on_the_thread_is_a_facet_of_its_files(corpus):
    c = corpus.c
    comment = post_with_files(c, [upload("ask.pdf", sample_files.pdf("Narrow the offence"))])
    comment_services.disposition_record(
        comment=comment, by=c.drafter, status="accepted", response="Narrowed."
    )
    assert found_files(c.anonymous, "offence", disposition="accepted") == ["ask.pdf"]

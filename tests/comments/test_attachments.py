"""Files attached to comments: checked by content, text extracted, stored, downloaded only as
attachments, and seen only by those who may read the comment (URL guessing included)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comments import services
from comments.models import Attachment, Comment
from core.errors import DomainError

from . import sample_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_files(media) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def post(c, by=None, files=(), **kwargs):
    return services.comment_create(
        by=by or c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body=kwargs.pop("body", "See our paper."),
        attachments=files,
        **kwargs,
    )


def create_url(c):
    return reverse("comments:create", args=[c.draft.slug, c.version.number, c.article.stable_id])


def test_accepted_files_are_stored_with_their_text(consultation, media):
    comment = post(
        consultation,
        files=[
            upload("paper.pdf", sample_files.pdf()),
            upload("paper.docx", sample_files.docx()),
            upload("paper.odt", sample_files.odt()),
            upload("chart.png", sample_files.png()),
        ],
    )
    files = list(comment.attachments.order_by("pk"))
    assert [f.content_type for f in files] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "image/png",
    ]
    assert "Position paper of the Digital Rights Forum" in files[0].extracted_text
    assert "Our submission on article 1." in files[1].extracted_text
    assert "Submission in OpenDocument" in files[2].extracted_text
    assert files[3].extracted_text == ""
    assert len(stored_files(media)) == 4
    # Stored under a random name: the person's file name is never a path.
    assert "paper" not in files[0].file.name


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("paper.pdf", sample_files.elf_executable(), "judged by their content"),
        ("paper.docx", sample_files.windows_executable(), "judged by their content"),
        ("bomb.docx", sample_files.docx_zip_bomb(), "zip bomb"),
        ("empty.pdf", b"", "empty"),
        ("fake.pdf", b"%PDF-1.7\nnot really a pdf", "not a readable PDF"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_saved(consultation, media, name, data, words):
    with pytest.raises(DomainError) as refused:
        post(consultation, files=[upload("fine.pdf", sample_files.pdf()), upload(name, data)])
    assert words in refused.value.message
    assert name in refused.value.message
    assert not Comment.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused(consultation, media, settings):
    settings.PORTAL = {**settings.PORTAL, "ATTACHMENT_MAX_BYTES": 20_000}
    with pytest.raises(DomainError) as refused:
        post(consultation, files=[upload("big.pdf", b"%PDF-1.4\n" + b"0" * 30_000)])
    assert "larger than" in refused.value.message
    assert not Comment.objects.exists()
    assert stored_files(media) == []


def test_too_many_files_are_refused(consultation, media):
    files = [upload(f"chart{i}.png", sample_files.png()) for i in range(6)]
    with pytest.raises(DomainError) as refused:
        post(consultation, files=files)
    assert "At most 5 files" in refused.value.message
    assert not Comment.objects.exists()
    assert stored_files(media) == []


def test_a_pdf_with_javascript_is_kept_but_marked_and_only_downloaded(consultation, client):
    comment = post(consultation, files=[upload("script.pdf", sample_files.pdf_with_javascript())])
    attachment = comment.attachments.get()
    assert attachment.active_content
    response = client.get(reverse("comments:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    page = client.get(reverse("comments:attachment_text", args=[attachment.pk]))
    assert "contains scripts" in page.content.decode()


def test_the_web_form_refuses_a_renamed_program_with_a_clear_message(consultation, client, media):
    client.force_login(consultation.stakeholder_a)
    response = client.post(
        create_url(consultation),
        {
            "kind": "comment",
            "visibility": "public",
            "body": "With a program",
            "attachments": [upload("paper.pdf", sample_files.elf_executable())],
        },
    )
    assert response.status_code == 400
    assert "judged by their content" in response.content.decode()
    assert not Comment.objects.filter(body="With a program").exists()
    assert stored_files(media) == []


def test_the_web_form_attaches_and_the_thread_lists_the_file(consultation, client):
    client.force_login(consultation.stakeholder_a)
    response = client.post(
        create_url(consultation),
        {
            "kind": "comment",
            "visibility": "public",
            "body": "Our paper is attached",
            "attachments": [upload("position.pdf", sample_files.pdf())],
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get(body="Our paper is attached")
    attachment = comment.attachments.get()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "position.pdf" in page
    assert reverse("comments:attachment", args=[attachment.pk]) in page
    download = client.get(reverse("comments:attachment", args=[attachment.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="position.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_restricted_comments_file_is_not_found_by_those_who_cannot_see_it(
    consultation, client, api_client_for
):
    c = consultation
    comment = post(
        c, files=[upload("note.pdf", sample_files.pdf("Diplomatic note"))], visibility="restricted"
    )
    attachment = comment.attachments.get()
    urls = [
        reverse("comments:attachment", args=[attachment.pk]),
        reverse("comments:attachment_text", args=[attachment.pk]),
    ]
    for user, expected in [
        (c.anonymous, 404),
        (c.stakeholder_b, 404),
        (c.individual, 404),
        (c.other_drafter, 404),
        (c.stakeholder_a, 200),
        (c.drafter, 200),
        (c.official, 200),
    ]:
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [expected, expected], user
        api = api_client_for(user).get(reverse("api:attachment-download", args=[attachment.pk]))
        assert api.status_code == expected, user
    # Guessing the next id is the same 404 as an id that does not exist.
    client.force_login(c.stakeholder_b)
    assert client.get(reverse("comments:attachment", args=[attachment.pk + 1])).status_code == 404


def test_a_hidden_comments_file_goes_with_its_words(consultation, client):
    c = consultation
    comment = post(c, files=[upload("paper.pdf", sample_files.pdf())])
    services.comment_hide(comment=comment, by=c.moderator, reason="Off topic")
    attachment = comment.attachments.get()
    url = reverse("comments:attachment", args=[attachment.pk])
    client.force_login(c.stakeholder_b)
    assert client.get(url).status_code == 404
    client.force_login(c.stakeholder_a)  # its author
    assert client.get(url).status_code == 200


def test_the_api_lists_files_and_accepts_them_with_a_new_comment(consultation, api_client_for):
    c = consultation
    client = api_client_for(c.individual)
    response = client.post(
        reverse("api:comment-list"),
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "Posted with a file through the API",
            "attachments": [upload("api.docx", sample_files.docx())],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    files = response.json()["attachments"]
    assert [f["name"] for f in files] == ["api.docx"]
    assert files[0]["download_url"].endswith(
        reverse("api:attachment-download", args=[files[0]["id"]])
    )
    refused = client.post(
        reverse("api:comment-list"),
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "A program through the API",
            "attachments": [upload("api.pdf", sample_files.elf_executable())],
        },
        format="multipart",
    )
    assert refused.status_code == 400
    assert "judged by their content" in refused.content.decode()
    assert not Comment.objects.filter(body="A program through the API").exists()

"""Open participation in a real browser: a new person signs up, confirms the address from
the email (file backend), signs in, comments as an individual with a PDF attached and gets
the receipt; a request to join an organisation is approved; staff verify an organisation
and the verified mark shows next to its name."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from comments import services
from comments.models import Comment
from portal.celery import app
from stakeholders import services as stakeholder_services
from tests.comments import sample_files

from .conftest import sign_in

pytestmark = [pytest.mark.browser]

NEW_PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def mail_dir(settings, tmp_path):
    """Emails land as files (Django's file backend); Celery runs the receipt task inline."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield Path(settings.EMAIL_FILE_PATH)
    app.conf.task_always_eager = saved
    cache.clear()


def mails(directory: Path) -> list[str]:
    if not directory.exists():
        return []
    return [p.read_text(errors="replace") for p in sorted(directory.iterdir())]


def article_path(c):
    return reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])


def test_sign_up_confirm_comment_with_a_pdf_and_get_the_receipt(
    transactional_db, consultation, page, mail_dir, tmp_path
):
    c = consultation
    page.goto(article_path(c))
    page.get_by_role("link", name="or create an account").click()
    page.fill("#id_username", "reader")
    page.fill("#id_email", "reader@example.org")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()

    [confirmation] = mails(mail_dir)
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", confirmation).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    sign_in(page, "reader", NEW_PASSWORD)
    page.goto(article_path(c))
    expect(page.locator(".acting-as")).to_contain_text("Commenting as an individual")
    paper = tmp_path / "position-paper.pdf"
    paper.write_bytes(sample_files.pdf("A citizen's position paper"))
    page.fill("#id_body", "As a reader I attach my paper.")
    page.set_input_files("#id_attachments", str(paper))
    page.get_by_role("button", name="Post", exact=True).click()
    posted = page.locator("article.comment", has_text="As a reader I attach my paper.")
    expect(posted).to_be_visible()
    expect(posted.locator(".comment-by")).to_contain_text("(individual)")
    expect(posted.get_by_role("link", name="position-paper.pdf")).to_be_visible()

    comment = Comment.objects.get(body="As a reader I attach my paper.")
    assert comment.organisation_id is None
    assert "A citizen's position paper" in comment.attachments.get().extracted_text
    receipts = [m for m in mails(mail_dir) if comment.tracking_number in m]
    assert len(receipts) == 1
    assert "As a reader I attach my paper." in receipts[0]
    assert "position-paper.pdf" in receipts[0]
    assert page.js_errors == []


def test_a_join_request_is_approved_and_staff_verify_the_organisation(
    transactional_db, consultation, page
):
    c = consultation
    stakeholder_services.membership_grant(
        organisation=c.org_a, user=c.stakeholder_a, role="stakeholder", by=None, is_org_admin=True
    )
    c.org_a.verified = False
    c.org_a.save()
    services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="The NGO's view."
    )

    sign_in(page, "citizen")
    page.goto(reverse("accounts:directory"))
    page.get_by_role("button", name="Ask to join Digital Rights Forum").click()
    expect(page.locator(".messages")).to_contain_text("Its administrator will decide")

    page.context.clear_cookies()
    sign_in(page, "alice")
    page.goto(reverse("accounts:members", args=[c.org_a.slug]))
    page.get_by_role("button", name="Approve Sokha Chan").click()
    expect(page.locator(".messages")).to_contain_text("Sokha Chan is now a member")

    page.goto(article_path(c))
    nothing_yet = page.locator("article.comment", has_text="The NGO's view.")
    expect(nothing_yet.locator(".verified-mark")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, "admin")
    page.goto(reverse("accounts:directory"))
    page.get_by_role("button", name="Verify Digital Rights Forum").click()
    expect(page.locator(".messages")).to_contain_text("is marked verified")

    page.context.clear_cookies()
    page.goto(article_path(c))
    comment = page.locator("article.comment", has_text="The NGO's view.")
    expect(comment.locator(".comment-by")).to_contain_text("Digital Rights Forum")
    expect(comment.locator(".verified-mark")).to_contain_text("verified")
    assert page.js_errors == []

"""axe-core on every page people reach, on a phone and a desktop, in English and Khmer.

The pages, by who reaches them (``pages_by_user`` below): the consultation list, a draft,
its article page, the version's comments, a comment's permalink, sign-in; the public
hub, the round's report, the draft's open data, search results for an English and a
Khmer query, the portal's pages list and the accessibility statement; signed in as a
stakeholder, the article page with its comment form, a comment's edit history,
notifications and their settings, the organisations page and search results; as a
drafter, the drafting desk, a working version, the review desk, the response matrix, the
answer form, the audit log, the report's summary form, search results with the working
version's text, and the import pages (a new draft from a Word file, a new version of a
draft, and the preview of each upload); as a moderator, the moderation queue; as an
official, the version's review packets and the request form. Any "serious" or "critical"
violation fails the test, listed with the page and the elements.
"""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comments import services as comments
from drafts import services as drafts
from interop import services as interop
from public import services as public
from tests.comments import sample_files
from tests.public.conftest import seed_portal_pages

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD_DRAFT = Path(__file__).resolve().parents[1] / "fixtures" / "ministry_draft.docx"

DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}


def pages_by_user(c) -> dict[str | None, list[str]]:
    comment = comments.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body="The definition of *computer system* is too broad.",
        quote_exact="computer systems and data",
        # Listed on the comment's pages, and a result of the searches for "computer system".
        attachments=[
            SimpleUploadedFile(
                "position-paper.docx",
                sample_files.docx(["Our position on the computer system definition."]),
            )
        ],
    )
    comments.comment_reply(by=c.stakeholder_b, parent=comment, body="We agree.")
    comments.disposition_record(
        comment=comment, by=c.drafter, status="partly_accepted", response="Narrowed in **v2**."
    )
    comments.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="យើងស្នើឱ្យការពារទិន្នន័យផ្ទាល់ខ្លួនរបស់ពលរដ្ឋ",
        visibility="restricted",
    )
    slug, number, article = c.draft.slug, c.version.number, c.article.stable_id
    working = drafts.version_start_next(draft=c.draft, by=c.drafter)
    public.open_data_publish(draft=c.draft)
    seed_portal_pages()  # a transactional test's flush emptied them
    word = WORD_DRAFT.read_bytes()
    new_draft = interop.import_upload(by=c.drafter, filename="draft.docx", data=word)
    next_version = interop.import_upload(
        by=c.drafter, filename="draft.docx", data=word, draft=c.draft
    )

    def search(**params):
        return f"{reverse('search:search')}?{urlencode(params)}"

    reading = [
        reverse("comments:draft_list"),
        reverse("comments:read", args=[slug]),
        reverse("comments:article", args=[slug, number, article]),
        reverse("comments:version", args=[slug, number]),
        reverse("comments:permalink", args=[comment.pk]),
    ]
    public_pages = [
        reverse("public:hub"),
        reverse("public:report", args=[slug, number]),
        reverse("public:open_data", args=[slug]),
        search(q="computer system"),
        search(q="ទិន្នន័យ"),
        reverse("public:pages"),
        reverse("public:page", args=["accessibility"]),
    ]
    return {
        None: [*reading, *public_pages, reverse("accounts:login")],
        "alice": [
            reverse("comments:article", args=[slug, number, article]),
            reverse("comments:history", args=[comment.pk]),
            reverse("notifications:list"),
            reverse("notifications:preferences"),
            reverse("accounts:organisations"),
            search(q="definition", draft=slug),
        ],
        "drafter": [
            reverse("desk:home", args=[slug]),
            reverse("desk:version", args=[slug, working.number]),
            reverse("desk:review", args=[slug, number]),
            reverse("desk:matrix", args=[slug, number]),
            reverse("desk:respond", args=[slug, comment.pk]),
            reverse("audit:log"),
            reverse("public:summary_edit", args=[slug, number]),
            search(q="computer", version=working.pk, type="provision"),
            reverse("interop:import_new"),
            reverse("interop:import_version", args=[slug]),
            reverse("interop:import_preview", args=[new_draft.pk]),
            reverse("interop:import_preview", args=[next_version.pk]),
        ],
        "moderator": [reverse("comments:moderation")],
        "official": [
            reverse("packets:list", args=[slug, number]),
            reverse("packets:request", args=[slug, number]),
        ],
    }


def axe_violations(page) -> list[dict]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    page.wait_for_function("() => window.axe !== undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "km"])
def test_no_serious_accessibility_violation_on_any_page(
    browser, live_server, consultation, device, language
):
    found = {}
    visited = 0
    for username, urls in pages_by_user(consultation).items():
        context = browser.new_context(base_url=live_server.url, **DEVICES[device])
        context.set_default_timeout(15_000)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        try:
            if username:
                sign_in(page, username)
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, (url, username, response.status)
                assert page.locator("html").get_attribute("lang") == language
                visited += 1
                violations = axe_violations(page)
                if violations:
                    found[f"{username or 'anonymous'} {url}"] = violations
        finally:
            context.close()
    assert visited == 34
    assert found == {}

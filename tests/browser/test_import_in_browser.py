"""A drafter imports the ministry's Word draft: upload, the preview with what was not
understood highlighted (and accessible), confirm, and the desk shows the new draft."""

from pathlib import Path

import pytest

from drafts.models import Draft

from .conftest import sign_in
from .test_commenting_in_browser import run_axe

pytestmark = [pytest.mark.browser]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ministry_draft.docx"


def test_drafter_imports_a_word_draft(transactional_db, consultation, page, screenshots_dir):
    sign_in(page, "drafter")
    page.goto("/imports/new/")
    page.set_input_files("#id_file", str(FIXTURE))
    page.get_by_role("button", name="Read the document").click()
    page.wait_for_selector(".import-tree")
    assert "5 articles" in page.inner_text(".import-summary")
    problems = page.locator(".import-problems .import-problem")
    assert problems.count() >= 4  # the motto in both languages, and more
    assert "KINGDOM OF CAMBODIA" in page.inner_text(".import-problems")
    marked = page.locator(".import-tree tr.import-problem")
    assert marked.count() >= 2  # the footnote on article 1, the tables on article 3
    assert page.locator("td[lang=km]").first.is_visible()
    assert run_axe(page) == []
    page.screenshot(path=str(screenshots_dir / "import-preview.png"), full_page=True)
    page.fill("#id_slug", "e-signatures")
    page.get_by_role("button", name="Import as a new draft law").click()
    page.wait_for_url("**/desk/e-signatures/v1/")
    assert Draft.objects.get(slug="e-signatures").versions.get().provisions.count() == 7
    assert page.js_errors == []

"""A drafter takes a round through the desk in a real browser (Debian's chromium).

Answer a comment, apply a conflicting amendment through the three-way view,
publish the new version, compare the two versions and download the matrix.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services as comment_services
from comments.models import Comment, Disposition, PassageCheck
from drafts import services as draft_services
from drafts.models import DraftVersion
from tests.browser.conftest import sign_in
from tests.browser.test_commenting_in_browser import run_axe

pytestmark = [pytest.mark.browser]


def _comments(c):
    articles = list(c.articles.values())
    comment = comment_services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=articles[1],
        body="Too broad.",
        quote_exact="Nobody shall access",
    )
    amendment = comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=articles[0],
        kind=Comment.Kind.AMENDMENT,
        body="Require intent.",
        proposed_text=articles[0].text_en.replace(
            "Nobody shall access", "Nobody shall intentionally access"
        ),
    )
    return comment, amendment


def test_a_full_round_in_the_browser(
    transactional_db, consultation, page, screenshots_dir, second_drafter
):
    c = consultation
    comment, amendment = _comments(c)
    slug = c.draft.slug
    sign_in(page, "drafter")

    # Start version 2 from the desk.
    page.goto(reverse("desk:home", kwargs={"slug": slug}))
    page.get_by_role("button", name="Start the next version").click()
    page.wait_for_url("**/desk/*/v2/")
    v2 = DraftVersion.objects.get(draft=c.draft, number=2)

    # Answer the plain comment on the review desk (the box opens with a click).
    page.goto(reverse("desk:review", kwargs={"slug": slug, "number": 1}))
    item = page.locator(f"#comment-{comment.pk}")
    item.locator("summary").click()
    item.get_by_label("Disposition").select_option("rejected")
    item.get_by_label("Response").fill("The scope is needed.")
    item.get_by_role("button", name="Save the response").click()
    page.wait_for_selector(".message-success")
    assert Disposition.objects.get(comment=comment).status == "rejected"

    # Meanwhile another drafter changes article 1 in version 2.
    article = v2.provisions.get(stable_id="chp_1__art_1")
    draft_services.provision_edit(
        provision=article,
        by=second_drafter,
        revision=article.revision,
        text_en=article.text_en.replace("computer systems", "computer systems and networks"),
    )

    # Applying the amendment now shows the three texts instead of overwriting.
    page.goto(reverse("desk:review", kwargs={"slug": slug, "number": 1}))
    amendment_item = page.locator(f"#comment-{amendment.pk}")
    amendment_item.locator("summary").click()
    amendment_item.get_by_role("link", name="Apply to version 2…").click()
    page.wait_for_selector(".three-way")
    assert page.locator(".three-way ins").first.is_visible()
    assert page.get_by_role("heading", name="3. Current working text (version 2)").is_visible()
    problems = run_axe(page)
    page.screenshot(path=str(screenshots_dir / "desk-three-way.png"), full_page=True)
    # Start from the working text (the other drafter's change) and add the amendment's word.
    page.get_by_role("button", name="Start from the current working text").click()
    textarea = page.get_by_label("Final text of the article")
    merged = textarea.input_value().replace(
        "Nobody shall access", "Nobody shall intentionally access"
    )
    assert "networks" in merged
    textarea.fill(merged)
    page.get_by_label("Disposition").select_option("partly_accepted")
    page.get_by_label("Response").fill("Merged with our own change on networks.")
    page.get_by_role("button", name="Confirm the final text and record the response").click()
    page.wait_for_selector(".message-success")
    article.refresh_from_db()
    assert "networks" in article.text_en
    assert "intentionally" in article.text_en
    disposition = Disposition.objects.get(comment=amendment)
    assert disposition.applied_in_version_id == v2.pk

    # Publish version 2.
    page.goto(reverse("desk:publish", kwargs={"slug": slug, "number": 2}))
    closes = timezone.localtime(timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Consultation closes").fill(closes)
    page.get_by_label("What changed (English)").fill("Intent is required.")
    page.get_by_role("button", name="Publish and open the consultation").click()
    page.wait_for_selector(".message-success")
    v2.refresh_from_db()
    assert v2.status == DraftVersion.Status.IN_CONSULTATION
    assert PassageCheck.objects.get(comment=comment, version=v2).result == "unchanged"
    assert PassageCheck.objects.get(comment=amendment, version=v2).result == "changed"

    # Compare version 1 with version 2.
    page.goto(reverse("drafts:compare_index", kwargs={"slug": slug}))
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare/1/2/")
    assert page.locator("ins", has_text="intentionally").first.is_visible()
    problems_compare = run_axe(page)

    # Download the matrix as CSV.
    page.goto(reverse("desk:matrix", kwargs={"slug": slug, "number": 1}))
    problems_matrix = run_axe(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    path = download_info.value.path()
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[1][9] == "Partly accepted"
    assert rows[1][12] == "2"
    assert rows[2][9] == "Rejected"

    assert {"three-way": problems, "compare": problems_compare, "matrix": problems_matrix} == {
        "three-way": [],
        "compare": [],
        "matrix": [],
    }
    assert page.js_errors == []


def test_desk_works_on_a_phone(transactional_db, consultation, page, screenshots_dir):
    c = consultation
    _comments(c)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "drafter")
    page.goto(reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1}))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(screenshots_dir / "desk-review-phone.png"), full_page=False)

"""The drafting team shares out a campaign in a real browser (Debian's chromium).

Assign with the keyboard and one confirmation, tag, write an internal note,
answer a cluster once, and check the note never reaches the commenter.
"""

import random

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments import services as comment_services
from comments.models import Disposition
from desk import services as desk_services
from desk.models import Assignment, CommentTag, InternalNote
from tests.browser.conftest import sign_in
from tests.desk.campaign_corpus import CAMPAIGN_LETTERS

pytestmark = [pytest.mark.browser]

NOTE = "Internal: the same letter as the bar association's; answer with the warrant change."


def _campaign(c, count=5):
    rng = random.Random(3)
    letter = CAMPAIGN_LETTERS["privacy"][1].split(" ")
    posted = []
    for index in range(count):
        words = list(letter)
        words[rng.randrange(len(words))] = rng.choice(["kindly", "urgently", "also"])
        posted.append(
            comment_services.comment_create(
                by=c.stakeholder_a if index % 2 == 0 else c.stakeholder_b,
                version=c.version,
                provision=c.article,
                body=" ".join(words),
            )
        )
    return posted


def test_assign_tag_note_and_answer_a_cluster_once(
    transactional_db, consultation, page, second_drafter
):
    c = consultation
    campaign = _campaign(c)
    desk_services.clusters_recompute(version_id=c.version.pk)
    tag = desk_services.tag_create(draft=c.draft, by=c.drafter, name="Procedural safeguards")
    first = campaign[0]
    review = reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1})
    sign_in(page, "drafter")

    # Keyboard triage: j moves to the first comment, x ticks it; then one confirmation.
    page.goto(review)
    page.get_by_text("Keyboard shortcuts").click()
    assert page.locator("#keyboard-help kbd", has_text="j").is_visible()
    page.locator("body").press("j")
    page.locator("body").press("x")
    assert page.locator("[data-selected-count]").inner_text() == "1"
    page.select_option("#id_action", "assign")
    page.select_option("#id_assignee", str(second_drafter.pk))
    page.get_by_role("button", name="Review and confirm…").click()
    expect(page.locator("main")).to_contain_text("Assign 1 comment to")
    assert not Assignment.objects.exists()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**{review}**")
    assert Assignment.objects.get(comment=first).assignee == second_drafter

    # Tag two comments in one action.
    page.check(f"#comment-{campaign[1].pk} [data-select]")
    page.check(f"#comment-{campaign[2].pk} [data-select]")
    page.select_option("#id_action", "tag")
    page.select_option("#id_tag", str(tag.pk))
    page.get_by_role("button", name="Review and confirm…").click()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**{review}**")
    assert set(CommentTag.objects.values_list("comment_id", flat=True)) == {
        campaign[1].pk,
        campaign[2].pk,
    }
    assert page.locator(f"#comment-{campaign[1].pk} .tag").inner_text() == tag.name

    # An internal note on the comment's desk page.
    page.click(f"#comment-{first.pk} .review-title a")
    page.fill("#id_body", NOTE)
    page.get_by_role("button", name="Save the note").click()
    page.wait_for_selector(".internal-note")
    assert NOTE in page.locator("#notes").inner_text()
    assert InternalNote.objects.get().comment == first

    # The campaign, answered once: every member gets the disposition.
    page.goto(reverse("desk:clusters", kwargs={"slug": c.draft.slug, "number": 1}))
    page.get_by_role("link", name="5 comments").click()
    # The click starts a navigation; wait for the member table before counting its rows.
    members = page.locator(".cluster-members tbody tr")
    members.first.wait_for()
    assert members.count() == 5
    page.select_option("#id_status", "partly_accepted")
    page.fill("#id_response", "A judge's warrant will be required before any search.")
    page.get_by_role("button", name="Review and confirm…").click()
    expect(page.locator("main")).to_contain_text("on all 5 comments")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector(".messages, [role=status], .message", timeout=10_000)
    statuses = set(
        Disposition.objects.filter(comment__in=campaign).values_list("status", flat=True)
    )
    assert statuses == {Disposition.Status.PARTLY_ACCEPTED}
    assert page.js_errors == []

    # The commenter sees the response, never the note.
    page.context.clear_cookies()
    sign_in(page, "alice")
    page.goto(reverse("comments:permalink", args=[first.pk]))
    body = page.locator("body").inner_text()
    assert "A judge's warrant will be required" in body
    assert NOTE not in body
    response = page.goto(reverse("desk:comment", args=[c.draft.slug, first.pk]))
    assert response.status == 403
    assert NOTE not in page.locator("body").inner_text()

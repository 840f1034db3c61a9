"""The bell, the list and following in Debian's chromium, with htmx and at phone width."""

import pytest

from notifications.models import Follow, Kind, Notification
from notifications.services import follow_draft, notify
from tests.browser.conftest import sign_in
from tests.browser.test_commenting_in_browser import run_axe

pytestmark = [pytest.mark.browser]


def test_bell_list_mark_read_and_unfollow(transactional_db, consultation, page):
    c = consultation
    for number, kind in enumerate([Kind.CLOSED, Kind.VERSION_PUBLISHED]):
        notify(
            recipient=c.stakeholder_a,
            kind=kind,
            key=str(number),
            draft=c.draft,
            version=c.version,
            actor=c.drafter,
        )
    follow_draft(user=c.stakeholder_a, draft=c.draft)
    sign_in(page, "alice")

    bell = page.locator("#notification-bell")
    assert bell.locator(".bell-count").inner_text() == "2"
    assert "2 unread" in bell.inner_text()
    bell.click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notification-unread").count() == 2
    assert run_axe(page) == []

    # Mark one read in place: the row and the bell change without a reload.
    page.locator(".notification-read button").first.click()
    page.wait_for_function("() => document.querySelectorAll('.notification-unread').length === 1")
    page.wait_for_function(
        "() => document.querySelector('#notification-bell .bell-count').textContent === '1'"
    )
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_selector(".notification-unread", state="detached")
    assert page.locator("#notification-bell .bell-count").count() == 0

    # Settings, and unfollowing with htmx.
    page.get_by_role("link", name="Notification settings and followed drafts").click()
    assert run_axe(page) == []
    page.locator(".follow-form button").click()
    # Wait for the swapped form (":has-text('Follow')" would also match "Unfollow" at once,
    # before the request had finished).
    page.wait_for_selector(".follow-hint:has-text('Hear about new versions')")
    assert not Follow.objects.exists()
    assert page.js_errors == []


def test_the_list_fits_a_phone(transactional_db, consultation, browser, live_server):
    c = consultation
    notify(
        recipient=c.stakeholder_a,
        kind=Kind.COMMENT_HIDDEN,
        key="1",
        draft=c.draft,
        version=c.version,
        detail="A very long reason " * 20,
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, "alice")
    page.goto("/notifications/")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    context.close()

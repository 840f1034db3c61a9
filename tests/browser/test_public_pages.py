"""Every public page is reached from the home page by clicking, in English and in Khmer,
and axe-core finds no serious or critical problem on any of them."""

import pytest
from django.urls import reverse

from public import services
from public.models import Page
from tests.public.conftest import answered_round, round_, seed_portal_pages  # noqa: F401

from .conftest import sign_in
from .test_commenting_in_browser import run_axe

pytestmark = [pytest.mark.browser]


def click(page, href: str) -> None:
    """Follow the first visible link to ``href`` on the current page, as a reader would."""
    link = page.locator(f'a[href="{href}"]:visible').first
    link.click()
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith(href.split("?")[0]), page.url


def switch_language(page, code: str) -> None:
    page.select_option("#language-select", code)
    page.click(".language-switch button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == code


@pytest.mark.parametrize("language", ["en", "km"])
def test_every_public_page_is_reached_by_clicking_and_is_axe_clean(
    transactional_db,
    answered_round,  # noqa: F811 - the fixture imported above
    page,
    screenshots_dir,
    language,
):
    r = answered_round
    slug = r.c.draft.slug
    services.open_data_publish(draft=r.c.draft)
    seed_portal_pages()
    problems = {}

    def check(name):
        problems[name] = run_axe(page)

    page.goto("/")
    if language != "en":
        switch_language(page, language)
    check("home")

    # The hub, from the header, then filtered from the home page's links.
    click(page, reverse("public:hub"))
    check("hub")
    page.select_option("#hub-status", "closed")
    page.click(".hub-filters button[type=submit]")
    page.wait_for_load_state("load")
    assert "status=closed" in page.url
    check("hub filtered")

    # A closed round's report: charts as SVG with titles, and their tables.
    click(page, reverse("public:report", args=[slug, 1]))
    assert page.locator("svg[role=img] title").count() == 3
    assert page.locator(".chart-table table").count() == 3
    page.screenshot(path=screenshots_dir / f"public-report-{language}.png", full_page=True)
    check("report")

    # Its open data, and the files it links.
    click(page, reverse("public:open_data", args=[slug]))
    check("open data")
    json_href = reverse("public:open_data_file", args=[slug, f"{slug}.json"])
    assert page.locator(f'a[href="{json_href}"]').count() == 1
    response = page.request.get(json_href)
    assert response.ok
    assert response.json()["dataset"]["draft"] == slug

    # The draft's page links its record: report, matrix, open data, feed.
    page.locator(".brand").click()
    page.wait_for_load_state("load")
    click(page, reverse("comments:read", args=[slug]))
    assert page.locator('link[rel=alternate][type="application/atom+xml"]').count() == 1
    click(page, reverse("desk:matrix", args=[slug, 2]))
    check("matrix")
    page.go_back()
    click(page, reverse("public:report", args=[slug, 2]))
    check("report of the open round")

    # The portal's own pages, from the footer.
    for page_slug in Page.Slug.values:
        click(page, reverse("public:page", args=[page_slug]))
        assert page.locator("h1").inner_text().strip() == (
            Page.objects.get(slug=page_slug).title_km
            if language == "km"
            else Page.objects.get(slug=page_slug).title_en
        )
        check(f"page {page_slug}")

    # Feeds: the index from the footer, and the feeds it links are Atom.
    click(page, reverse("public:feeds"))
    check("feeds")
    for href in (
        reverse("public:draft_feed", args=[slug]),
        reverse("public:organisation_feed", args=[r.c.org_a.slug]),
    ):
        assert page.locator(f'a[href="{href}"]').count() >= 1
        feed = page.request.get(href)
        assert feed.headers["content-type"].startswith("application/atom+xml")

    # Officials reach their review packets from the header.
    sign_in(page, "official")
    page.goto("/")
    click(page, reverse("public:packets"))
    check("review packets")
    click(page, reverse("packets:list", args=[slug, 2]))
    check("packets of a version")

    assert problems == {name: [] for name in problems}
    assert page.js_errors == []

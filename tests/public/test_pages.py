"""The public pages: hub, report, portal pages, feeds, robots.txt, favicon, share metadata."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import translation

from public import services
from public.models import Page, RoundSummary

ATOM = "{http://www.w3.org/2005/Atom}"


# --- the hub ------------------------------------------------------------------------


def test_hub_lists_rounds_by_status_and_filters(
    answered_round, client, django_assert_max_num_queries
):
    r = answered_round
    with django_assert_max_num_queries(6):
        response = client.get(reverse("public:hub"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("public:report", args=[r.c.draft.slug, 1]) in page  # version 1, superseded
    assert reverse("public:report", args=[r.c.draft.slug, 2]) in page  # version 2, open
    closed = client.get(reverse("public:hub"), {"status": "closed"}).content.decode()
    assert reverse("public:report", args=[r.c.draft.slug, 1]) in closed
    assert reverse("public:report", args=[r.c.draft.slug, 2]) not in closed
    led = client.get(reverse("public:hub"), {"ministry": "moi"}).content.decode()
    assert reverse("public:report", args=[r.c.draft.slug, 2]) in led
    # A ministry that leads no draft is not among the choices: the filter is ignored.
    other = client.get(reverse("public:hub"), {"ministry": "moj"})
    assert other.context["hub"].ministry == ""
    nonsense = client.get(reverse("public:hub"), {"status": "<script>"})
    assert nonsense.status_code == 200


def test_hub_hides_working_versions_from_the_public(consultation, client):
    from drafts import services as draft_services

    working = draft_services.version_start_next(draft=consultation.draft, by=consultation.drafter)
    page = client.get(reverse("public:hub")).content.decode()
    assert f"v{working.number}/" not in page


# --- the report ---------------------------------------------------------------------


def test_report_counts_what_the_reader_may_see(
    answered_round, client, django_assert_max_num_queries
):
    r = answered_round
    url = reverse("public:report", args=[r.c.draft.slug, 1])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    report = response.context["report"]
    # Anonymous: public comments only, less hidden and withdrawn: the public one, its reply,
    # the amendment.
    assert report.total_comments == 3
    assert report.threads == 2
    assert {row.code: row.comments for row in report.by_kind} == {"ngo": 1, "private_sector": 2}
    assert {row.code: row.people for row in report.by_kind} == {"ngo": 1, "private_sector": 1}
    assert {code: n for code, _label, n in report.by_disposition} == {
        "pending": 0,
        "accepted": 1,
        "partly_accepted": 0,
        "rejected": 0,
        "noted": 1,
    }
    page = response.content.decode()
    assert "<svg" in page and '<title id="chart-kind-title">' in page
    assert "Restricted words" not in page
    # What we did: the applied amendment, linked to its comment and the redline.
    assert [item.stable_id for item in report.trace.changes] == [r.c.article.stable_id]
    assert reverse("comments:permalink", args=[r.amendment.pk]) in page
    assert (
        reverse("drafts:compare_article", args=[r.c.draft.slug, 1, 2, r.c.article.stable_id])
        in page
    )


def test_report_for_an_official_counts_restricted_comments(answered_round, client):
    r = answered_round
    client.force_login(r.c.official)
    report = client.get(reverse("public:report", args=[r.c.draft.slug, 1])).context["report"]
    # Everything but the withdrawn comment: hidden ones stay in the record of those who review.
    assert report.total_comments == 7


def test_report_of_a_working_or_unknown_version_is_not_found(consultation, client):
    from drafts import services as draft_services

    working = draft_services.version_start_next(draft=consultation.draft, by=consultation.drafter)
    client.force_login(consultation.drafter)
    assert (
        client.get(reverse("public:report", args=["it-crimes", working.number])).status_code == 404
    )
    assert client.get(reverse("public:report", args=["it-crimes", 99])).status_code == 404


def test_report_labels_are_khmer_in_khmer(answered_round, client):
    with translation.override("km"):
        response = client.get(
            reverse("public:report", args=[answered_round.c.draft.slug, 1]),
            HTTP_ACCEPT_LANGUAGE="km",
        )
    page = response.content.decode()
    assert "ជំពូក" in page


def test_drafter_writes_the_summary_with_history(answered_round, client):
    r = answered_round
    url = reverse("public:summary_edit", args=[r.c.draft.slug, 1])
    client.force_login(r.c.drafter)
    response = client.post(
        url, {"text_en": "We heard concerns about intent.", "text_km": "", "revision": 0}
    )
    assert response.status_code == 302
    summary = RoundSummary.objects.get(version=r.c.version)
    assert summary.history.count() == 1
    stale = client.post(url, {"text_en": "Other words", "text_km": "", "revision": 0})
    assert stale.status_code == 409
    summary.refresh_from_db()
    assert summary.text_en == "We heard concerns about intent."
    page = client.get(reverse("public:report", args=[r.c.draft.slug, 1])).content.decode()
    assert "We heard concerns about intent." in page


def test_a_stakeholder_may_not_write_the_summary(answered_round, client):
    client.force_login(answered_round.c.stakeholder_a)
    response = client.post(
        reverse("public:summary_edit", args=[answered_round.c.draft.slug, 1]),
        {"text_en": "Hijack", "text_km": "", "revision": 0},
    )
    assert response.status_code == 403
    assert not RoundSummary.objects.exists()


# --- the version page's links -------------------------------------------------------


def test_version_page_links_its_public_record(answered_round, client):
    r = answered_round
    url = reverse("comments:read_version", args=[r.c.draft.slug, 1])
    page = client.get(url).content.decode()
    assert reverse("public:report", args=[r.c.draft.slug, 1]) in page
    assert reverse("desk:matrix", args=[r.c.draft.slug, 1]) in page
    assert reverse("public:open_data", args=[r.c.draft.slug]) in page
    assert reverse("public:draft_feed", args=[r.c.draft.slug]) in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert reverse("packets:list", args=[r.c.draft.slug, 1]) not in page
    client.force_login(r.c.official)
    page = client.get(url).content.decode()
    assert reverse("packets:list", args=[r.c.draft.slug, 1]) in page
    assert reverse("public:packets") in page  # the header


def test_packets_index_lists_versions_for_officials_only(answered_round, client):
    r = answered_round
    client.force_login(r.c.stakeholder_a)
    assert client.get(reverse("public:packets")).status_code == 403
    client.force_login(r.c.drafter)
    page = client.get(reverse("public:packets")).content.decode()
    assert reverse("packets:list", args=[r.c.draft.slug, 2]) in page


# --- portal pages --------------------------------------------------------------------


@pytest.mark.parametrize("slug", [choice.value for choice in Page.Slug])
def test_every_portal_page_exists_in_both_languages(slug, db, client):
    page = Page.objects.get(slug=slug)
    assert page.title_km and page.body_km and page.summary_km
    response = client.get(reverse("public:page", args=[slug]))
    assert response.status_code == 200
    assert f"<h1>{page.title_en}</h1>" in response.content.decode()
    with translation.override("km"):
        km = client.get(reverse("public:page", args=[slug]), HTTP_ACCEPT_LANGUAGE="km")
    assert page.title_km in km.content.decode()


def test_staff_edit_a_page_and_the_history_keeps_the_old_wording(consultation, client):
    page = Page.objects.get(slug="contact")
    url = reverse("public:page_edit", args=["contact"])
    client.force_login(consultation.drafter)
    assert client.get(url).status_code == 403
    client.force_login(consultation.admin)
    data = {
        "title_en": "Contact us",
        "title_km": page.title_km,
        "summary_en": page.summary_en,
        "summary_km": page.summary_km,
        "body_en": "Write to us.\n\n<script>alert(1)</script>",
        "body_km": page.body_km,
        "revision": page.revision,
    }
    assert client.post(url, data).status_code == 302
    shown = client.get(reverse("public:page", args=["contact"])).content.decode()
    assert "Contact us" in shown
    assert "<script>alert" not in shown
    page.refresh_from_db()
    assert page.history.count() == 1
    assert page.history.first().history_user == consultation.admin
    assert client.post(url, data).status_code == 409  # the old revision
    assert client.post(url, {**data, "body_en": "", "revision": page.revision}).status_code == 400


def test_page_edit_service_refuses_a_non_staff_user(consultation):
    from core.errors import PolicyDenied

    page = Page.objects.get(slug="about")
    with pytest.raises(PolicyDenied):
        services.page_edit(page=page, by=consultation.drafter, revision=page.revision, title_en="x")


def test_footer_links_every_portal_page(consultation, client):
    page = client.get("/").content.decode()
    for slug in Page.Slug.values:
        assert reverse("public:page", args=[slug]) in page
    assert reverse("public:hub") in page


# --- feeds, robots, favicon, share metadata --------------------------------------------


def test_draft_feed_is_atom_with_versions_and_rounds(answered_round, client):
    response = client.get(reverse("public:draft_feed", args=[answered_round.c.draft.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own test response
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "Version 2 published" in titles
    assert "Consultation on version 1 opened" in titles
    assert any(t.startswith("Consultation on version 2 closes on") for t in titles)


def test_organisation_feed_has_only_public_comments(answered_round, client):
    r = answered_round
    response = client.get(reverse("public:organisation_feed", args=[r.c.org_a.slug]))
    text = response.content.decode()
    assert "Public words of organisation A" in text
    for hidden in (
        "Words for participants only",
        "Restricted words",
        "Words a moderator hid",
        "Words taken back",
    ):
        assert hidden not in text
    assert client.get(reverse("public:organisation_feed", args=["nobody"])).status_code == 404


def test_feeds_page_lists_drafts_and_organisations(answered_round, client):
    page = client.get(reverse("public:feeds")).content.decode()
    assert reverse("public:draft_feed", args=[answered_round.c.draft.slug]) in page
    assert reverse("public:organisation_feed", args=[answered_round.c.org_a.slug]) in page


def test_robots_and_favicon(client, db):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Disallow: /desk/" in robots.content.decode()
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301
    assert favicon["Location"].endswith("public/favicon.ico")


def test_share_metadata_on_public_pages(consultation, client):
    page = client.get(reverse("public:page", args=["about"])).content.decode()
    about = Page.objects.get(slug="about")
    assert f'<meta property="og:title" content="{about.title_en}">' in page
    assert about.summary_en.split(",")[0] in page.split('<meta name="description"')[1].split(">")[0]
    assert '<meta name="description"' in page
    assert 'rel="icon"' in page


def test_feeds_and_portal_pages_run_a_fixed_number_of_queries(
    answered_round, client, django_assert_max_num_queries
):
    r = answered_round
    with django_assert_max_num_queries(4):
        client.get(reverse("public:draft_feed", args=[r.c.draft.slug]))
    with django_assert_max_num_queries(3):
        client.get(reverse("public:organisation_feed", args=[r.c.org_a.slug]))
    with django_assert_max_num_queries(5):
        client.get(reverse("public:feeds"))
    with django_assert_max_num_queries(2):
        client.get(reverse("public:page", args=["privacy"]))

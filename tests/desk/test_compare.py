"""Comparing versions: whole draft and per article, moved/renumbered/removed, Khmer, permissions."""

import re

from django.urls import reverse

from drafts import services as draft_services

from .conftest import working_article


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def _reshape(consultation, desk_round):
    c, v2 = consultation, desk_round.v2
    draft_services.provision_move(
        provision=working_article(desk_round, "chp_1__art_2"),
        by=c.drafter,
        parent=working_article(desk_round, "chp_2"),
        after=working_article(desk_round, "chp_2__art_3"),
    )
    draft_services.provision_remove(
        provision=working_article(desk_round, "chp_1__art_1"), by=c.drafter
    )
    article = working_article(desk_round, "chp_2__art_3")
    draft_services.provision_edit(
        provision=article,
        by=c.drafter,
        revision=article.revision,
        text_en=article.text_en.replace("without right", "without authorisation"),
        text_km="ច្បាប់នេះការពារទិន្នន័យ។",
    )
    draft_services.version_renumber_articles(version=v2, by=c.drafter)


def test_compare_whole_draft(client, consultation, desk_round, django_assert_max_num_queries):
    c = consultation
    _reshape(c, desk_round)
    client.force_login(c.drafter)
    compare_url = url("drafts:compare", slug=c.draft.slug, old=1, new=2)
    # the draft, its partners, two versions, the session, the user and memberships, two
    # provision lists, the versions to choose from, and the base template's notifications
    with django_assert_max_num_queries(12):
        response = client.get(compare_url)
    assert response.status_code == 200
    assert response.context["summary"] == {
        "added": 0,
        "removed": 1,
        "moved": 1,
        "renumbered": 1,
        "changed": 1,
        "unchanged": 2,
    }
    body = response.content.decode()
    # unchanged chapters are collapsed
    assert re.search(r'<details class="redline-unchanged">\s*<summary>Chapter 1', body)
    # the removed article is struck through and its words deleted
    assert "<del>Article 1 — Scope</del>" in body
    # the moved article is recognised, with where it was
    assert re.search(r'badge-moved">Moved</span>', body)  # article 2 kept its number
    assert "Renumbered (was 3) · text changed" in body
    assert "under Chapter 1 → under Chapter 2" in body
    # the word diff
    assert "<del>right</del><ins>authorisation</ins>" in body


def test_compare_in_khmer(client, consultation, desk_round):
    c = consultation
    _reshape(c, desk_round)
    client.force_login(c.drafter)
    client.post(reverse("set_language"), {"language": "km", "next": "/"})
    response = client.get(url("drafts:compare", slug=c.draft.slug, old=1, new=2))
    assert response.context["language"] == "km"
    body = response.content.decode()
    assert "<del>ប្រព័ន្ធកុំព្យូទ័រ និង</del>" in body


def test_compare_one_article_in_both_languages(client, consultation, desk_round):
    c = consultation
    _reshape(c, desk_round)
    client.force_login(c.drafter)
    response = client.get(
        url("drafts:compare_article", slug=c.draft.slug, old=1, new=2, stable_id="chp_2__art_3")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<del>right</del><ins>authorisation</ins>" in body
    assert "<del>ប្រព័ន្ធកុំព្យូទ័រ និង</del>" in body
    assert "Article 3 in version 1; Article 1 in version 2." in body
    missing = client.get(
        url("drafts:compare_article", slug=c.draft.slug, old=1, new=2, stable_id="nope")
    )
    assert missing.status_code == 404


def test_compare_index_redirects_in_order(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    response = client.get(url("drafts:compare_index", slug=c.draft.slug), {"old": 2, "new": 1})
    assert response.status_code == 302
    assert response["Location"] == url("drafts:compare", slug=c.draft.slug, old=1, new=2)
    same = client.get(url("drafts:compare_index", slug=c.draft.slug), {"old": 1, "new": 1})
    assert b"Choose two different versions." in same.content


def test_a_working_version_is_not_public(client, consultation, desk_round):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.get(url("drafts:compare", slug=c.draft.slug, old=1, new=2))
    assert response.status_code == 403
    assert b"still being drafted" in response.content
    # nor offered to choose
    index = client.get(url("drafts:compare_index", slug=c.draft.slug))
    assert index.context["form"] is None
    client.logout()
    assert client.get(url("drafts:compare", slug=c.draft.slug, old=1, new=2)).status_code == 403

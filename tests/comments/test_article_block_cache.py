"""The whole-draft reading page's cached article blocks and contents: never stale, never another's.

Each case has every role read the page first (so each one's blocks are cached),
then changes something through a service, then checks that every role's page from
the cache is the page rendered without it, byte for byte.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from comments import article_blocks, reading_page, services
from drafts import services as draft_services
from drafts.models import Provision
from stakeholders import services as people_services
from tests.factories import UserFactory, member

from .conftest import post_comment, reply_to

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def people(consultation):
    c = consultation
    return {
        "anonymous": None,
        "participant": c.stakeholder_b,
        "colleague": member(organisation=c.org_a, username="carol"),
        "author": c.stakeholder_a,
        "drafter": c.drafter,
        "moderator": c.moderator,
    }


@pytest.fixture
def scene(consultation):
    """Passages of the article quoted publicly, for participants and for one organisation."""
    c = consultation
    Provision.objects.filter(pk=c.article.pk).update(
        text_en="Access to a computer without right is an offence.\n\nIt is punished by a fine."
    )
    c.article.refresh_from_db()
    public = post_comment(c, c.stakeholder_a, body="Define it.", quote_exact="without right")
    post_comment(
        c, c.stakeholder_a, body="Between us.", quote_exact="an offence", visibility="restricted"
    )
    post_comment(
        c, c.stakeholder_b, body="Members only.", quote_exact="a fine", visibility="participants"
    )
    return public


@pytest.fixture
def read(client_for, consultation):
    def read_as(user, number=None, language="en"):
        c = consultation
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        url = reverse("comments:read_version", args=[c.draft.slug, number or c.version.number])
        response = client.get(url)
        assert response.status_code == 200
        html = CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
        return re.sub(r'value="[0-9a-f]{32}"', 'value=""', html)

    return read_as


def _uncached(read, user, **kwargs):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "get_many", lambda keys: {})
        patch.setattr(cache, "set_many", lambda mapping, timeout=None: [])
        return read(user, **kwargs)


def _everyone_matches_uncached(people, read, **kwargs):
    pages = {}
    for role, user in people.items():
        pages[role] = read(user, **kwargs)
        assert pages[role] == _uncached(read, user, **kwargs), role
    return pages


def _shown(pages, text):
    return {role for role, html in pages.items() if text in html}


# Each change returns the version number to read afterwards (None: the open one) and
# (text, roles shown it) expectations.


def _post(c, scene):
    post_comment(c, c.stakeholder_b, body="Another.", quote_exact="punished")
    return None, [('">punished</mark>', set(ROLES))]


def _reply(c, scene):
    reply_to(scene, c.stakeholder_b, body="Yes.")
    return None, [("2 comments<span", {"anonymous"})]


def _withdraw(c, scene):
    services.comment_withdraw(comment=scene, by=c.stakeholder_a)
    return None, [('">without right</mark>', set())]


def _hide(c, scene):
    services.comment_hide(comment=scene, by=c.moderator, reason="Off topic")
    return None, [('">without right</mark>', set())]


def _restore(c, scene):
    services.comment_hide(comment=scene, by=c.moderator, reason="Off topic")
    services.comment_restore(comment=scene, by=c.moderator, reason="Reviewed")
    return None, [('">without right</mark>', set(ROLES))]


def _endorse(c, scene):
    services.endorsement_create(comment=scene, by=c.stakeholder_b)
    return None, []


def _disposition(c, scene):
    services.disposition_record(comment=scene, by=c.drafter, status="accepted", response="Yes.")
    return None, []


def _close(c, scene):
    draft_services.version_close(version=c.version)
    return None, [("Comment on this article<span", set())]


def _time_up(c, scene):
    # Closed by the clock alone, before any task changes the version's state.
    c.version.closes_at = timezone.now() - timedelta(seconds=1)
    c.version.save()
    return None, [("Comment on this article<span", set())]


def _publish_next(c, scene):
    nxt = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    draft_services.version_publish(
        version=nxt, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    return nxt.number, [("Earlier versions: 1 comment", {"anonymous"})]


def _working(c):
    nxt = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    return nxt, nxt.provisions.get(stable_id=c.article.stable_id)


ROLES = ("anonymous", "participant", "colleague", "author", "drafter", "moderator")

CHANGES = {
    "post": _post,
    "reply": _reply,
    "withdraw": _withdraw,
    "hide": _hide,
    "restore": _restore,
    "endorse": _endorse,
    "disposition": _disposition,
    "close": _close,
    "time up": _time_up,
    "publish the next version": _publish_next,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_shows_at_once_to_every_role(consultation, people, scene, read, change):
    _everyone_matches_uncached(people, read)
    number, expectations = CHANGES[change](consultation, scene)
    if number is not None:
        _everyone_matches_uncached(people, read, number=number)  # both versions' pages
    pages = _everyone_matches_uncached(people, read)
    if number is not None:
        pages = {role: read(user, number=number) for role, user in people.items()}
    for text, roles in expectations:
        # Anonymous stands for everyone where the others' pages differ only in their links.
        if roles == {"anonymous"}:
            assert text in pages["anonymous"], text
        else:
            assert _shown(pages, text) == roles, text


def test_each_audience_sees_its_own_marks_whoever_filled_the_cache(people, scene, read):
    order = ["drafter", "moderator", "author", "colleague", "participant", "anonymous"]
    for _round in range(2):  # cold, then from the cache
        pages = {role: read(people[role]) for role in order}
        assert _shown(pages, '">an offence</mark>') == {
            "author",
            "colleague",
            "drafter",
            "moderator",
        }
        assert _shown(pages, '">a fine</mark>') == set(ROLES) - {"anonymous"}
        assert _shown(pages, '">without right</mark>') == set(ROLES)
    _everyone_matches_uncached(people, read)


@pytest.mark.parametrize("how", ["text", "heading", "renumber", "remove", "admin"])
def test_the_working_versions_text_is_never_stale(consultation, people, scene, read, how):
    c = consultation
    nxt, article = _working(c)
    drafter = people["drafter"]
    if how == "renumber":
        Provision.objects.filter(pk=article.pk).update(number="99")
    before = read(drafter, number=nxt.number)
    assert before == _uncached(read, drafter, number=nxt.number)
    if how == "text":
        draft_services.provision_edit(
            provision=article, by=drafter, revision=article.revision, text_en="Brand new words."
        )
        expected = "Brand new words."
    elif how == "heading":
        draft_services.provision_edit(
            provision=article, by=drafter, revision=article.revision, heading_en="A new heading"
        )
        expected = "A new heading"
    elif how == "renumber":
        draft_services.version_renumber_articles(version=nxt, by=drafter)
        expected = None
    elif how == "remove":
        draft_services.provision_remove(provision=article, by=drafter)
        expected = None
    else:
        # A save outside the services (the admin): the provision's own revision and time
        # of saving are in the key.
        article.text_en = "Saved in the admin."
        article.save()
        expected = "Saved in the admin."
    after = read(drafter, number=nxt.number)
    assert after == _uncached(read, drafter, number=nxt.number)
    assert after != before
    if expected:
        assert expected in after


@pytest.mark.parametrize("language", ["en", "km"])
def test_each_language_has_its_own_blocks(consultation, people, scene, read, language):
    other = "km" if language == "en" else "en"
    read(None, language=other)  # the other language's blocks cached first
    _everyone_matches_uncached(people, read, language=language)
    assert read(None, language="km") != read(None, language="en")


def test_a_change_of_role_changes_the_blocks(consultation, scene, read):
    c = consultation
    newcomer = UserFactory(username="newcomer")
    assert '">an offence</mark>' not in read(newcomer)
    people_services.membership_grant(
        organisation=c.org_a, user=newcomer, role="stakeholder", by=None
    )
    page = read(newcomer)
    assert '">an offence</mark>' in page
    assert page == _uncached(read, newcomer)


def test_a_page_from_the_cache_renders_no_article(consultation, scene, read, monkeypatch):
    read(None)
    rendered = []
    real = article_blocks.ArticleBlocks._render

    def spy(self, entry):
        rendered.append(entry.provision.stable_id)
        return real(self, entry)

    monkeypatch.setattr(article_blocks.ArticleBlocks, "_render", spy)
    read(None)
    assert rendered == []
    post_comment(consultation, consultation.stakeholder_b, body="New.")
    read(None)
    assert rendered == [consultation.article.stable_id]  # only the article commented on


def test_the_page_is_served_without_the_cache_when_it_is_away(scene, read, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("cache is away")

    monkeypatch.setattr(cache, "get_many", away)
    monkeypatch.setattr(cache, "set_many", away)
    assert '">without right</mark>' in read(None)


def test_the_text_is_kept_whole_for_the_readers_who_share_it(
    consultation, people, scene, read, monkeypatch
):
    reads = []
    real = reading_page._read

    def spy(**kwargs):
        reads.append(kwargs["user"].pk)  # None: not signed in
        return real(**kwargs)

    monkeypatch.setattr(reading_page, "_read", spy)
    for role in ROLES:
        read(people[role])
        read(people[role])
    pk = {role: user.pk if user else None for role, user in people.items()}
    read_twice = {role for role in ROLES if reads.count(pk[role]) == 2}
    # Those signed in who are not reviewers see their own words and some restricted ones.
    assert read_twice == {"participant", "colleague", "author"}
    assert reads.count(None) == 1
    assert reads.count(pk["drafter"]) == 1
    assert reads.count(pk["moderator"]) <= 1  # with the drafter's, if both may comment alike


def test_a_page_kept_whole_reads_neither_provisions_nor_comments(
    consultation, scene, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = consultation
    url = reverse("comments:read_version", args=[c.draft.slug, c.version.number])
    client = client_for(None)
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    read_tables = " ".join(q["sql"] for q in warm.captured_queries)
    assert "drafts_provision" not in read_tables
    assert "comments_comment" not in read_tables
    # The five reads of provisions, earlier feedback, counts, quotes and passages found
    # again are skipped; the draft's version ids (for the tokens) are read either way.
    assert len(warm.captured_queries) == 4
    assert len(cold.captured_queries) == 9


@pytest.mark.parametrize(
    "role, audience",
    [
        ("anonymous", "public"),
        ("participant", None),
        ("colleague", None),
        ("author", None),
        ("drafter", "everything"),
        ("moderator", "everything"),
    ],
)
def test_the_reading_audience_agrees_with_the_visibility_rule(consultation, people, role, audience):
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Q

    from stakeholders.policies import comment_visibility_filter, reading_audience

    user = people[role] or AnonymousUser()
    draft = consultation.draft
    assert reading_audience(user, draft) == audience
    visibility = comment_visibility_filter(user, draft)
    assert (visibility == Q()) == (audience == "everything")
    if audience == "public":
        assert visibility == Q(visibility="public")


def test_across_drafts_only_the_public_audience_is_known(people):
    from django.contrib.auth.models import AnonymousUser

    from stakeholders.policies import reading_audience

    assert reading_audience(AnonymousUser(), None) == "public"
    for role in ("participant", "author", "drafter", "moderator"):
        assert reading_audience(people[role], None) is None, role

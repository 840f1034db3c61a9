"""The article page's cached thread fragments: never stale, never someone else's.

Each case first has every role read the page (so each audience's fragment is
cached), then changes the thread through a service, then reads the page again as
every role and checks what each one is (and is not) shown.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import fragments, selectors, services
from comments.views import threads as thread_views
from core import revisions
from drafts import services as draft_services
from stakeholders.policies import comment_action_kind
from tests.factories import UserFactory, member

from .conftest import post_comment, reply_to

ROLES = ("anonymous", "participant", "colleague", "author", "drafter", "moderator")
EVERYONE = set(ROLES)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@dataclass
class Scene:
    people: dict
    root: object
    restricted: object


@pytest.fixture
def scene(consultation):
    c = consultation
    colleague = member(organisation=c.org_a, username="carol")
    root = post_comment(c, c.stakeholder_a, body="Root words of the thread.")
    restricted = reply_to(
        root, c.stakeholder_a, body="A restricted aside for our members.", visibility="restricted"
    )
    reply_to(root, c.stakeholder_b, body="A reply for participants.", visibility="participants")
    people = {
        "anonymous": None,
        "participant": c.stakeholder_b,
        "colleague": colleague,
        "author": c.stakeholder_a,
        "drafter": c.drafter,
        "moderator": c.moderator,
    }
    return Scene(people=people, root=root, restricted=restricted)


@pytest.fixture
def read(client_for, article_url):
    def read_as(user, url=None, language="en"):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url or article_url)
        assert response.status_code == 200
        return response.content.decode()

    return read_as


def _everyone_reads(scene, read, **kwargs):
    return {role: read(user, **kwargs) for role, user in scene.people.items()}


def _shown(pages, text):
    return {role for role, html in pages.items() if text in html}


def test_roles_see_their_own_audience_whoever_filled_the_cache(scene, read):
    # The drafter reads first, so the thread's fragments start from the widest audience.
    order = ["drafter", "moderator", "author", "colleague", "participant", "anonymous"]
    for _round in range(2):  # cold, then from the cache
        pages = {role: read(scene.people[role]) for role in order}
        assert _shown(pages, "A restricted aside") == {
            "author",
            "colleague",
            "drafter",
            "moderator",
        }
        assert _shown(pages, "A reply for participants.") == EVERYONE - {"anonymous"}
        assert _shown(pages, "Root words of the thread.") == EVERYONE


def test_edit_link_and_tracking_number_only_for_the_author(scene, read):
    number = scene.root.tracking_number
    for _round in range(2):
        pages = {role: read(scene.people[role]) for role in ("colleague", "author", "drafter")}
        edit_url = reverse("comments:edit", args=[scene.root.pk])
        assert _shown(pages, f'href="{edit_url}"') == {"author"}
        assert _shown(pages, number) == {"author"}
        withdraw_url = reverse("comments:withdraw", args=[scene.root.pk])
        assert _shown(pages, f'href="{withdraw_url}"') == {"author"}
        report_url = reverse("comments:report", args=[scene.root.pk])
        # Nobody reports their own comment; a colleague of the same organisation may.
        assert _shown(pages, f'href="{report_url}"') == {"colleague", "drafter"}


def test_each_reader_gets_their_own_csrf_token(scene, read, client_for, article_url):
    read(scene.people["drafter"])  # the thread's fragment is cached by somebody else
    client = client_for(scene.people["participant"])
    html = client.get(article_url).content.decode()
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    values = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert values  # the endorse form, at least
    assert {_unmask_cipher_token(value) for value in values} == {secret}


def _post(c, s, read):
    services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="A new thread appears.",
        posted_at=timezone.now(),
    )
    return [("A new thread appears.", EVERYONE)]


def _reply(c, s, read):
    reply_to(s.root, c.stakeholder_b, body="A fresh public reply.")
    return [("A fresh public reply.", EVERYONE)]


def _restricted_reply(c, s, read):
    reply_to(s.root, c.drafter, body="The ministry answers privately.", visibility="restricted")
    return [
        ("The ministry answers privately.", {"author", "colleague", "drafter", "moderator"}),
    ]


def _edit(c, s, read):
    services.comment_edit(
        comment=s.root, by=c.stakeholder_a, body="Corrected root words.", revision=s.root.revision
    )
    return [("Corrected root words.", EVERYONE), ("Root words of the thread.", set())]


def _withdraw(c, s, read):
    services.comment_withdraw(comment=s.root, by=c.stakeholder_a, reason="Changed my mind")
    return [("Withdrawn by its author: Changed my mind", EVERYONE)]


def _hide(c, s, read):
    services.comment_hide(comment=s.root, by=c.moderator, reason="Off topic")
    return [
        ("Hidden by a moderator: Off topic", EVERYONE),
        ("Root words of the thread.", {"author", "drafter", "moderator"}),
    ]


def _restore(c, s, read):
    services.comment_hide(comment=s.root, by=c.moderator, reason="Off topic")
    _everyone_reads(s, read)
    services.comment_restore(comment=s.root, by=c.moderator, reason="Reviewed")
    return [("Hidden by a moderator", set()), ("Root words of the thread.", EVERYONE)]


def _endorse(c, s, read):
    services.endorsement_create(comment=s.root, by=c.stakeholder_b)
    return [("Endorsed by 1 organisation", EVERYONE), ("Withdraw endorsement", {"participant"})]


def _unendorse(c, s, read):
    services.endorsement_create(comment=s.root, by=c.stakeholder_b)
    _everyone_reads(s, read)
    services.endorsement_withdraw(comment=s.root, by=c.stakeholder_b)
    return [("Endorsed by", set()), ("Withdraw endorsement", set())]


def _disposition(c, s, read):
    services.disposition_record(
        comment=s.root, by=c.drafter, status="accepted", response="We agree; it will change."
    )
    return [("We agree; it will change.", EVERYONE)]


def _disposition_changed(c, s, read):
    services.disposition_record(
        comment=s.root, by=c.drafter, status="accepted", response="We agree; it will change."
    )
    _everyone_reads(s, read)
    services.disposition_record(
        comment=s.root, by=c.drafter, status="rejected", response="On reflection, no."
    )
    return [("On reflection, no.", EVERYONE), ("We agree; it will change.", set())]


def _close(c, s, read):
    draft_services.version_close(version=c.version)
    reply_url = reverse("comments:reply", args=[s.root.pk])
    return [(f'href="{reply_url}"', set())]


def _time_up(c, s, read):
    # Closed by the clock alone, before any task changes the version's state.
    c.version.closes_at = timezone.now() - timedelta(seconds=1)
    c.version.save()
    reply_url = reverse("comments:reply", args=[s.root.pk])
    return [(f'href="{reply_url}"', set())]


CHANGES = {
    "post": _post,
    "reply": _reply,
    "restricted reply": _restricted_reply,
    "edit": _edit,
    "withdraw": _withdraw,
    "hide": _hide,
    "restore": _restore,
    "endorse": _endorse,
    "withdraw endorsement": _unendorse,
    "disposition": _disposition,
    "disposition changed": _disposition_changed,
    "close": _close,
    "time up": _time_up,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_shows_at_once_to_every_role(consultation, scene, read, change):
    _everyone_reads(scene, read)
    expectations = CHANGES[change](consultation, scene, read)
    pages = _everyone_reads(scene, read)
    for text, roles in expectations:
        assert _shown(pages, text) == roles, text


def test_a_change_in_a_later_version_reaches_the_earlier_version_page(
    consultation, scene, read, article_url
):
    c = consultation
    _everyone_reads(scene, read)
    nxt = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    draft_services.version_publish(
        version=nxt, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    pages = _everyone_reads(scene, read)
    # The earlier version is superseded, and the thread says where its passage went.
    assert _shown(pages, "in version 2") == EVERYONE


def test_each_language_has_its_own_fragments(scene, read):
    user = scene.people["participant"]
    english = read(user)
    khmer = read(user, language="km")
    assert "1 reply</summary>" in english
    assert "1 reply</summary>" not in khmer
    assert "Root words of the thread." in khmer
    assert "1 reply</summary>" in read(user)  # each from its own fragment
    assert "1 reply</summary>" not in read(user, language="km")


def _without_tokens(html):
    """The page less its per-request tokens (CSRF, the comment form's idempotency key)."""
    html = CSRF.sub('name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'value="[0-9a-f]{32}"', 'value=""', html)


@pytest.mark.parametrize("role", ROLES)
def test_cached_page_is_the_page_rendered_without_the_cache(
    consultation, scene, read, role, monkeypatch
):
    c = consultation
    services.endorsement_create(comment=scene.root, by=c.stakeholder_b)
    services.comment_hide(comment=scene.restricted, by=c.moderator, reason="Private data")
    services.comment_edit(
        comment=scene.root, by=c.stakeholder_a, body="Edited words.", revision=scene.root.revision
    )
    services.disposition_record(comment=scene.root, by=c.drafter, status="noted", response="Noted.")
    # The drafter writes in the thread too: their tracking number is theirs alone.
    reply_to(scene.root, c.drafter, body="The ministry asks a question.")
    for role_first in ROLES:  # every audience cached, by its own people
        read(scene.people[role_first])
    cached = read(scene.people[role])

    def inline(request, place, filters, *, root_id=None):
        return selectors.thread_page(
            user=request.user,
            version=place.version,
            filters=filters,
            page_number=request.GET.get("page") or 1,
            provision=place.provision,
            root_id=root_id,
        )

    monkeypatch.setattr(thread_views, "_article_threads", inline)
    uncached = read(scene.people[role])
    assert _without_tokens(cached) == _without_tokens(uncached)


@pytest.mark.parametrize("role", ROLES)
def test_action_links_asked_once_per_kind_agree_with_each_comment(consultation, scene, role):
    c = consultation
    other = post_comment(c, c.stakeholder_b, body="Another thread.", minutes_ago=120)
    reply_to(other, c.stakeholder_a, body="Answer.")
    services.comment_withdraw(comment=scene.restricted, by=c.stakeholder_a)
    user = scene.people[role]
    page = selectors.thread_page(
        user=user, version=c.version, filters=selectors.CommentFilters(), provision=c.article
    )
    seen = {}

    def walk(nodes):
        for node in nodes:
            kind = comment_action_kind(user, node.comment)
            answer = (
                node.can_reply,
                node.can_edit,
                node.can_withdraw,
                node.can_endorse,
                node.can_report,
                node.can_moderate,
            )
            assert seen.setdefault(kind, answer) == answer
            walk(node.children)

    walk(page.threads)
    assert len(seen) > 1


def test_a_reader_between_a_write_and_its_commit_cannot_leave_a_stale_fragment(
    consultation, scene, read, article_url, django_capture_on_commit_callbacks
):
    c = consultation
    read(None)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(
            comment=scene.root, by=c.stakeholder_a, body="Committed words.", revision=1
        )
        # Another worker reads now, from the data before the commit, and stores what it saw.
        stale_tokens = revisions.current([fragments.thread_name(scene.root.pk)])
        assert stale_tokens is not None
        stale_key = fragments._key(
            root=scene.root,
            token=stale_tokens[fragments.thread_name(scene.root.pk)],
            people=revisions.current([revisions.PEOPLE])[revisions.PEOPLE],
            audience="public:",
            version=c.version,
            draft=c.draft,
        )
        cache.set(stale_key, {"html": "<p>Root words of the thread.</p>", "facts": []})
    html = read(None)
    assert "Committed words." in html
    assert "Root words of the thread." not in html


def test_the_page_is_served_without_the_cache_when_it_is_away(scene, read, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("cache is away")

    monkeypatch.setattr(cache, "get_many", away)
    monkeypatch.setattr(cache, "set_many", away)
    html = read(None)
    assert "Root words of the thread." in html


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "participant", "drafter"])
def test_a_page_from_the_cache_runs_fewer_queries(
    consultation, scene, client_for, article_url, role, django_assert_max_num_queries
):
    c = consultation
    for n in range(40):
        root = post_comment(c, c.stakeholder_b, body=f"Thread {n}", minutes_ago=200 + n)
        for m in range(4):
            reply_to(root, c.stakeholder_a if m % 2 else c.drafter, body=f"Reply {n}.{m}")
    client = client_for(scene.people[role])
    revisions.touch(revisions.PEOPLE)
    cold = _count(client, article_url)
    # Session, user, memberships, the bell, the draft and versions, the article, the
    # count and page of first comments, (signed in) the threads' ties to the reader,
    # the quotes: no thread rows at all.
    with django_assert_max_num_queries(cold - 4):
        assert client.get(article_url).status_code == 200


def test_one_fragment_per_audience_not_per_person(consultation, scene, read, monkeypatch):
    c = consultation
    stored = []
    set_many = cache.set_many

    def recording(mapping, *args, **kwargs):
        stored.append(set(mapping))
        return set_many(mapping, *args, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    audiences = []
    real = fragments.thread_audience

    def spy(*args, **kwargs):
        audiences.append(real(*args, **kwargs))
        return audiences[-1]

    monkeypatch.setattr(fragments, "thread_audience", spy)
    read(member(organisation=c.org_b, username="dave"))
    read(member(organisation=c.org_b, username="frank"))  # another participant, same audience
    read(None)
    read(UserFactory(username="erin"))  # no organisation, wrote nothing: anonymous' audience
    read(c.stakeholder_b)  # wrote in the thread: an audience of their own
    assert audiences == ["participant:", "participant:", "public:", "public:", audiences[-1]]
    assert audiences[-1].startswith(f"user-{c.stakeholder_b.pk}:")
    assert len(stored) == 3


# --- the API's cached rows (comments.thread_rows) ------------------------------------------
# The same scene and changes, read through /api/v1/threads/ and /api/v1/comments/: after
# every change each role's answer from the cache must be the answer made without it, byte
# for byte (no stale row, no row of another audience, no other reader's permissions).


@pytest.fixture
def api_read(api_client_for, consultation):
    c = consultation
    place = f"version={c.version.pk}&provision={c.article.stable_id}"
    urls = (
        f"/api/v1/threads/?{place}",
        f"/api/v1/threads/?{place}&cursor=",
        f"/api/v1/comments/?{place}",
        f"/api/v1/comments/?{place}&cursor=",
        "/api/v1/comments/?ordering=newest&page_size=3",
    )

    def read_as(user, language="en"):
        client = api_client_for(user)
        pages = []
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, response.content[:300])
            pages.append(response.content.decode())
        return "\n".join(pages)

    return read_as


def _uncached(api_read, user, language="en"):
    """What the API answers when no row comes from (or goes into) the cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "get_many", lambda keys: {})
        patch.setattr(cache, "set_many", lambda mapping, timeout=None: [])
        return api_read(user, language=language)


def _api_matches_uncached(scene, api_read, language="en"):
    for role, user in scene.people.items():
        cached = api_read(user, language=language)
        assert cached == api_read(user, language=language), role  # a second hit agrees
        assert cached == _uncached(api_read, user, language=language), role


def _publish_next(c, s, read):
    nxt = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    draft_services.version_publish(
        version=nxt, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    return []


def _verify(c, s, read):
    from stakeholders import services as people_services

    people_services.organisation_verify(organisation=c.org_a, by=c.admin, verified=True)
    return []


API_CHANGES = {
    **CHANGES,
    "publish the next version": _publish_next,
    "organisation verified": _verify,
}


@pytest.mark.parametrize("change", list(API_CHANGES))
def test_api_rows_after_a_change_are_the_rows_made_without_the_cache(
    consultation, scene, api_read, change
):
    _everyone_reads(scene, api_read)  # every audience's rows cached, by its own people
    API_CHANGES[change](consultation, scene, api_read)
    _api_matches_uncached(scene, api_read)


def test_api_rows_after_a_writer_closes_their_account(consultation, scene, api_read):
    from stakeholders import services as people_services

    writer = member(organisation=consultation.org_b, username="frank", display_name="Frank Writer")
    reply_to(scene.root, writer, body="Frank's reply.")
    assert "Frank Writer" in api_read(None)
    _everyone_reads(scene, api_read)
    people_services.account_close(user=writer, by=writer)
    assert "Frank Writer" not in api_read(None)
    _api_matches_uncached(scene, api_read)


def test_api_rows_of_each_audience_whoever_filled_the_cache(consultation, scene, api_read):
    order = ["drafter", "moderator", "author", "colleague", "participant", "anonymous"]
    for _round in range(2):  # cold, then from the cache
        pages = {role: api_read(scene.people[role]) for role in order}
        assert _shown(pages, "A restricted aside") == {
            "author",
            "colleague",
            "drafter",
            "moderator",
        }
        assert _shown(pages, "A reply for participants.") == EVERYONE - {"anonymous"}
    _api_matches_uncached(scene, api_read)


def test_api_hidden_words_stay_with_their_author(consultation, scene, api_read):
    """The author and anonymous readers act for no organisation: only the audience tells them apart."""
    c = consultation
    own = post_comment(c, c.individual, body="A citizen's words, hidden later.")
    services.comment_hide(comment=own, by=c.moderator, reason="Personal data")
    readers = {"author": c.individual, "anonymous": None, "another citizen": UserFactory()}
    for _round in range(2):
        pages = {name: api_read(user) for name, user in readers.items()}
        assert _shown(pages, "A citizen's words, hidden later.") == {"author"}
    for user in readers.values():
        assert api_read(user) == _uncached(api_read, user)


def test_api_rows_per_language(consultation, scene, api_read):
    services.comment_hide(comment=scene.root, by=consultation.moderator, reason="Off topic")
    for language in ("en", "km", "en"):
        _api_matches_uncached(scene, api_read, language=language)
    assert api_read(None, language="km") != api_read(None, language="en")


def test_api_rows_follow_a_change_of_role(consultation, scene, api_read):
    c = consultation
    newcomer = UserFactory(username="newcomer")
    before = api_read(newcomer)
    assert "A restricted aside" not in before
    from stakeholders import services as people_services

    people_services.membership_grant(
        organisation=c.org_a, user=newcomer, role="stakeholder", by=None
    )
    after = api_read(newcomer)
    assert "A restricted aside" in after
    assert after == _uncached(api_read, newcomer)
    people_services.membership_grant(
        organisation=c.lead_ministry, user=newcomer, role="drafter", by=None
    )
    assert api_read(newcomer) == _uncached(api_read, newcomer)


def test_api_permissions_are_the_readers_own(consultation, scene, api_client_for):
    """Two people of one audience share the cached rows, never each other's permissions."""
    c = consultation
    services.endorsement_create(comment=scene.root, by=c.stakeholder_b)
    mine = post_comment(c, c.stakeholder_b, body="Bob's own thread.")
    dave = member(organisation=c.org_b, username="dave")
    erin = member(username="erin")  # another organisation, the same audience as dave
    url = f"/api/v1/comments/?version={c.version.pk}&provision={c.article.stable_id}"
    rows = {}
    readers = (("dave", dave), ("erin", erin), ("bob", c.stakeholder_b), ("dave again", dave))
    for name, user in readers:
        rows[name] = {row["id"]: row for row in api_client_for(user).get(url).json()["results"]}
    assert rows["dave"][scene.root.pk]["endorsed_by_my_organisation"] is True
    assert rows["erin"][scene.root.pk]["endorsed_by_my_organisation"] is False
    assert rows["bob"][mine.pk]["permissions"]["edit"] is True
    assert rows["bob"][mine.pk]["tracking_number"] == mine.tracking_number
    assert rows["dave again"][mine.pk]["permissions"]["edit"] is False
    assert rows["dave again"][mine.pk]["tracking_number"] is None
    assert rows["dave again"] == rows["dave"]


@pytest.mark.parametrize("role", ["anonymous", "participant", "drafter"])
def test_api_rows_from_the_cache_read_no_comment_rows(
    consultation, scene, api_client_for, role, django_assert_max_num_queries
):
    c = consultation
    for n in range(10):
        root = post_comment(c, c.stakeholder_b, body=f"Thread {n}", minutes_ago=200 + n)
        reply_to(root, c.stakeholder_a, body=f"Reply {n}")
    client = api_client_for(scene.people[role])
    url = f"/api/v1/threads/?version={c.version.pk}&provision={c.article.stable_id}&cursor="
    cold = _count(client, url)
    # The article's ids and the page of first comments, their versions; signed in, the token,
    # memberships, the threads' ties to the reader (and a drafter's drafting partners): no
    # reply, comment or file rows.
    with django_assert_max_num_queries(cold - 2):
        assert client.get(url).status_code == 200

"""Hostile input is rejected or rendered harmless, with clear errors and nothing else changed.

Each case posts through the web form and the API as a real stakeholder would,
then counts the rows of every table a post could touch.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from comments import services
from comments.models import Comment, Disposition, Endorsement, Report
from comments.rendering import render_markdown
from core.text import clean_user_text
from stakeholders.models import Membership, Organisation
from tests.factories import DraftFactory, VersionFactory, open_version

pytestmark = pytest.mark.django_db

SCRIPTS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Comment, Disposition, Endorsement, Report, Membership, Organisation)
    }


def api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def article_url(c, article=None):
    article = article or c.article
    return reverse("comments:article", args=[c.draft.slug, c.version.number, article.stable_id])


def create_url(c):
    return reverse("comments:create", args=[c.draft.slug, c.version.number, c.article.stable_id])


def api_post(client, c, **payload):
    data = {"version": c.version.pk, "provision": c.article.stable_id, **payload}
    return client.post(reverse("api:comment-list"), data, content_type="application/json")


class _Markup(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "a"}


def assert_harmless(html: str):
    """Only the allowed tags, no event handlers, links only to http(s) or mailto."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, (tag, html)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert set(attrs) <= {"href", "title", "rel"}, (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0].lower() in ("http", "https", "mailto"), attrs


def assert_page_harmless(page: str):
    """A whole page: scripts only from /static/, no inline handlers, no script links."""
    parser = _Markup()
    parser.feed(page)
    for tag, attrs in parser.tags:
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        assert tag not in ("iframe", "object", "embed", "style"), tag  # site icons are inline SVG
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text")), (tag, attrs)


@pytest.mark.parametrize("payload", SCRIPTS)
def test_script_in_a_body_is_rendered_harmless_everywhere(client, consultation, payload):
    c = consultation
    body = f"Our view: {payload}"
    client.force_login(c.stakeholder_a)
    response = client.post(create_url(c), {"kind": "comment", "visibility": "public", "body": body})
    assert response.status_code == 302
    comment = Comment.objects.get(author=c.stakeholder_a)
    assert comment.body == body  # the words are kept as typed...
    assert_harmless(comment.body_html)  # ...and only ever shown sanitised
    assert_page_harmless(client.get(article_url(c)).content.decode())
    assert_page_harmless(
        client.get(reverse("comments:permalink", args=[comment.pk]), follow=True).content.decode()
    )
    detail = api(client, c.stakeholder_b).get(reverse("api:comment-detail", args=[comment.pk]))
    assert detail.status_code == 200
    assert_harmless(detail.json()["body_html"])
    assert detail["Content-Type"].startswith("application/json")


def test_markdown_renderer_keeps_only_safe_markup():
    html = render_markdown("**bold** <b>raw</b> [ok](https://example.org) [bad](javascript:x)")
    assert "<strong>bold</strong>" in html
    assert "<b>" not in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    assert 'href="javascript' not in html
    assert_harmless(html)


def test_script_in_a_quoted_passage_is_escaped(client, consultation):
    """A drafter's text may contain angle brackets; a quote of it is shown as text."""
    c = consultation
    draft = DraftFactory(lead_ministry=c.lead_ministry, slug="markup-law")
    version = VersionFactory(draft=draft)
    from drafts.models import Provision

    article = Provision.objects.create(
        version=version,
        stable_id="art_1",
        kind="article",
        number="1",
        text_en="Sending <script>alert('q')</script> to a system is an offence.",
        position=1,
    )
    open_version(version)
    client.force_login(c.stakeholder_a)
    url = reverse("comments:create", args=[draft.slug, version.number, article.stable_id])
    response = client.post(
        url,
        {
            "kind": "comment",
            "visibility": "public",
            "body": "This wording is too broad.",
            "quote_exact": "<script>alert('q')</script>",
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get(provision=article)
    assert comment.quote_exact == "<script>alert('q')</script>"
    page = client.get(
        reverse("comments:article", args=[draft.slug, version.number, article.stable_id])
    ).content.decode()
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page


def test_a_forged_quote_is_refused_with_the_text_kept(client, consultation):
    c = consultation
    before = counts()
    client.force_login(c.stakeholder_a)
    response = client.post(
        create_url(c),
        {
            "kind": "comment",
            "visibility": "public",
            "body": "My carefully written point that must not be lost.",
            "quote_exact": "<script>alert(1)</script> words that are not in the article",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The quoted passage was not found in the article" in html
    assert "My carefully written point that must not be lost." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; words" in html
    assert counts() == before


def test_an_oversized_body_is_refused_with_a_clear_error_and_nothing_lost(client, consultation):
    c = consultation
    limit = settings.PORTAL["COMMENT_MAX_LENGTH"]
    body = "A long submission. " * (limit // 19 + 5)
    assert len(body) > limit
    before = counts()
    client.force_login(c.stakeholder_a)
    response = client.post(create_url(c), {"kind": "comment", "visibility": "public", "body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{limit}" in html.replace(",", "")
    assert body.strip()[:500] in html  # the text is still in the form
    answer = api_post(api(client, c.stakeholder_a), c, body=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["body"]
    assert counts() == before


def test_deeply_nested_replies_stop_at_the_limit(client, consultation):
    c = consultation
    with override_settings(PORTAL={**settings.PORTAL, "COMMENT_MAX_DEPTH": 2}):
        root = services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body="Root"
        )
        child = services.comment_reply(by=c.stakeholder_b, parent=root, body="Child")
        grandchild = services.comment_reply(by=c.stakeholder_a, parent=child, body="Grandchild")
        before = counts()
        client.force_login(c.stakeholder_b)
        web = client.post(
            reverse("comments:reply", args=[grandchild.pk]),
            {"body": "Too deep, but my words stay", "visibility": "public"},
        )
        assert web.status_code == 400
        html = web.content.decode()
        assert "too deep" in html
        assert "Too deep, but my words stay" in html
        answer = api(client, c.stakeholder_b).post(
            reverse("api:comment-replies", args=[grandchild.pk]),
            {"body": "Too deep"},
            content_type="application/json",
        )
        assert answer.status_code == 400
        assert "too deep" in answer.json()["error"]["message"]
        assert counts() == before


INVISIBLE = "\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u2060\ufeff\u00ad"


def test_direction_overrides_and_invisible_characters_are_stripped(client, consultation):
    c = consultation
    tricky = "Pay\u202etxt.exe to \u2066account\u2069 n\u2060o\ufeffw"
    khmer = "ច្បាប់\u200bនេះ"  # U+200B marks Khmer word boundaries and is kept
    client.force_login(c.stakeholder_a)
    response = client.post(
        create_url(c),
        {"kind": "comment", "visibility": "public", "body": f"{tricky} {khmer}"},
    )
    assert response.status_code == 302
    stored = Comment.objects.get(author=c.stakeholder_a).body
    assert not set(INVISIBLE) & set(stored)
    assert stored == f"Paytxt.exe to account now {khmer}"
    assert "\u200b" in stored
    answer = api_post(api(client, c.stakeholder_b), c, body=f"API {tricky}")
    assert answer.status_code == 201
    assert not set(INVISIBLE) & set(answer.json()["body"])


def test_clean_user_text_removes_controls_and_normalises():
    assert clean_user_text("e\u0301\x00\x07 ok\r\nnext") == "\u00e9 ok\nnext"


SQLISH = [
    "'; DROP TABLE comments_comment; --",
    "1 OR 1=1",
    '" OR ""="',
    "Robert'); DELETE FROM stakeholders_membership;--",
]


@pytest.mark.parametrize("text", SQLISH)
def test_sql_looking_strings_are_just_text(client, consultation, text):
    c = consultation
    client.force_login(c.stakeholder_a)
    before = counts()
    response = client.post(create_url(c), {"kind": "comment", "visibility": "public", "body": text})
    assert response.status_code == 302
    after = counts()
    assert after["Comment"] == before["Comment"] + 1
    assert after["Membership"] == before["Membership"]
    assert Comment.objects.filter(body=text).exists()
    listing = client.get(reverse("api:comment-list"), {"organisation": text, "draft": text})
    assert listing.status_code in (200, 400)
    if listing.status_code == 200:
        assert listing.json()["count"] == 0
    assert client.get(reverse("api:comment-list"), {"version": text}).status_code == 400
    search = client.get(
        reverse("comments:version", args=[c.draft.slug, c.version.number]),
        {"q": text, "organisation": text},
    )
    assert search.status_code in (200, 400)


def test_forged_organisation_in_an_api_payload_is_refused(client, consultation):
    c = consultation
    before = counts()
    client = api(client, c.stakeholder_a)
    for key, value in (
        ("organisation", c.org_b.pk),
        ("organisation_id", c.lead_ministry.pk),
        ("organisation", c.assembly.slug),
        ("organisation", "999999"),
    ):
        answer = api_post(client, c, body="Speaking for someone else", **{key: value})
        assert answer.status_code == 400, key
        assert "speaks for the organisation you act for" in answer.content.decode()
    assert counts() == before
    # Naming one's own organisation is harmless; naming an author does nothing.
    own = api_post(client, c, body="Speaking for us", organisation=c.org_a.pk, author=c.official.pk)
    assert own.status_code == 201
    comment = Comment.objects.get(body="Speaking for us")
    assert comment.organisation == c.org_a
    assert comment.author == c.stakeholder_a


def test_forged_organisation_in_a_reply_is_refused(client, consultation):
    c = consultation
    root = services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.article, body="Root"
    )
    before = counts()
    answer = api(client, c.stakeholder_a).post(
        reverse("api:comment-replies", args=[root.pk]),
        {"body": "Reply as the ministry", "organisation": c.lead_ministry.pk},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert counts() == before


def test_forged_organisation_in_a_web_form_is_ignored(client, consultation):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.post(
        create_url(c),
        {
            "kind": "comment",
            "visibility": "public",
            "body": "Web form with a forged field",
            "organisation": c.lead_ministry.pk,
            "author": c.drafter.pk,
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get(body="Web form with a forged field")
    assert comment.organisation == c.org_a
    assert comment.author == c.stakeholder_a


def test_concurrent_edits_are_conflicts_not_lost_updates(client, consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="First text"
    )
    services.comment_edit(comment=comment, by=c.stakeholder_a, body="Edited elsewhere", revision=1)
    client.force_login(c.stakeholder_a)
    web = client.post(
        reverse("comments:edit", args=[comment.pk]),
        {"body": "My stale edit", "revision": 1, "proposed_text": ""},
    )
    assert web.status_code == 409
    assert "My stale edit" in web.content.decode()  # the user's words are still there
    answer = api(client, c.stakeholder_a).patch(
        reverse("api:comment-detail", args=[comment.pk]),
        {"body": "Stale API edit", "revision": 1},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["current"]["body"] == "Edited elsewhere"
    comment.refresh_from_db()
    assert comment.body == "Edited elsewhere"
    assert comment.revision == 2


def test_concurrent_dispositions_are_conflicts(consultation):
    from core.errors import ConflictError

    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Point"
    )
    revision = comment.disposition.revision
    services.disposition_record(
        comment=comment, by=c.drafter, status="accepted", response="Yes", revision=revision
    )
    with pytest.raises(ConflictError):
        services.disposition_record(
            comment=comment, by=c.admin, status="rejected", response="No", revision=revision
        )
    comment.disposition.refresh_from_db()
    assert comment.disposition.status == "accepted"


def test_a_posted_comment_is_stored_before_the_success_message(client, consultation):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.post(
        create_url(c),
        {"kind": "comment", "visibility": "public", "body": "Durable words"},
        follow=True,
    )
    assert "Your comment was posted." in response.content.decode()
    assert Comment.objects.filter(body="Durable words").exists()


@override_settings(
    PORTAL={**settings.PORTAL, "POST_RATE_PER_USER": "1/h", "POST_RATE_PER_ORGANISATION": ""}
)
def test_rate_limit_is_a_clear_429_on_web_and_api(client, consultation, clean_cache):
    c = consultation
    client.force_login(c.stakeholder_a)
    first = client.post(create_url(c), {"kind": "comment", "visibility": "public", "body": "One"})
    assert first.status_code == 302
    before = counts()
    second = client.post(
        create_url(c), {"kind": "comment", "visibility": "public", "body": "Two, kept"}
    )
    assert second.status_code == 429
    html = second.content.decode()
    assert "You may post again in" in html
    assert "Two, kept" in html
    answer = api_post(api(client, c.stakeholder_a), c, body="Three")
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    assert answer.json()["error"]["code"] == "rate_limited"
    assert counts() == before


def test_packet_html_is_sanitised_and_leaves_out_restricted_comments(consultation):
    """The PDF is made from HTML: the same sanitising applies, and restricted stays out."""
    from packets.models import Packet
    from packets.rendering import render_single_html

    c = consultation
    hostile = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body="Packet <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=y>",
    )
    services.disposition_record(
        comment=hostile,
        by=c.drafter,
        status="rejected",
        response="<iframe src=//evil.example></iframe> Rejected.",
    )
    services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="Restricted words that stay out of a public packet",
        visibility="restricted",
    )
    packet = Packet.objects.create(
        version=c.version, language=Packet.Language.ENGLISH, fingerprint="0" * 64
    )
    html = render_single_html(packet)
    assert "Packet" in html
    assert "Rejected." in html
    assert "Restricted words that stay out" not in html
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), attrs


# --- input that used to reach the parser or the database as a 500 ------------------


def test_deeply_nested_json_is_a_400_not_a_500(consultation):
    from rest_framework.test import APIClient

    body = "[" * 5000 + "]" * 5000  # ten kilobytes, five thousand levels
    anonymous = APIClient()
    response = anonymous.post(reverse("api:auth-token"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    signed_in = APIClient()
    signed_in.force_authenticate(consultation.stakeholder_a)
    before = Comment.objects.count()
    for url in (reverse("api:comment-list"),):
        response = signed_in.post(url, body, content_type="application/json")
        assert response.status_code == 400
    comment = services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="Mine.",
    )
    response = signed_in.patch(
        reverse("api:comment-detail", args=[comment.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert Comment.objects.count() == before + 1


def test_a_nul_byte_in_the_path_or_the_query_is_a_400(consultation, client):
    c = consultation
    page = client.get(f"/drafts/{c.draft.slug}/v{c.version.number}/articles/art%001/")
    assert page.status_code == 400
    assert "not allowed" in page.content.decode()
    api = client.get("/api/v1/comments/", {"provision": "a\x00b"})
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid"


def test_a_nul_byte_in_a_json_string_is_a_400(consultation):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(consultation.stakeholder_a)
    before = Comment.objects.count()
    response = client.post(
        reverse("api:comment-list"),
        {"version": consultation.version.pk, "provision": "art\x00", "body": "Hello"},
        format="json",
    )
    assert response.status_code == 400
    assert Comment.objects.count() == before


def test_the_moderators_route_does_not_reveal_a_restricted_comment(consultation, client):
    """Someone who may not read a comment gets the same 404 as for an id that does not exist."""
    c = consultation
    restricted = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.article,
        body="For the ministry only.",
        visibility="restricted",
    )
    client.force_login(c.stakeholder_b)
    for action in ("hide", "restore", "resolve"):
        existing = client.get(reverse("comments:moderate", args=[restricted.pk, action]))
        missing = client.get(reverse("comments:moderate", args=[restricted.pk + 999, action]))
        assert existing.status_code == missing.status_code == 404
    # Someone who may read it but not moderate is told why.
    client.force_login(c.stakeholder_a)
    assert client.get(reverse("comments:moderate", args=[restricted.pk, "hide"])).status_code == 403


def test_an_api_path_with_an_encoded_newline_is_the_apis_json_404(client):
    """Found by schemathesis: "." in the catch-all did not match a newline, so Django's HTML 404."""
    response = client.post(
        "/api/v1/comments/%F0%AA%A2%8F%0At/replies/",
        data={"body": "An answer."},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
